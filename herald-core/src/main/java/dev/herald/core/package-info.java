/** Herald core. */
package dev.herald.core;
