/** Herald server. */
package dev.herald.server;
