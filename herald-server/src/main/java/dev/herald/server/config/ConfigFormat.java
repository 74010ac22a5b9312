package dev.herald.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;
import java.util.Locale;

/** The config file formats, chosen by file extension: .json, .yaml/.yml, .toml. */
public enum ConfigFormat {
    JSON(JsonMapper.builder().build()),
    YAML(YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build()),
    TOML(TomlMapper.builder().build());

    private final ObjectMapper mapper;

    ConfigFormat(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The format for {@code file}'s extension, or null when it has none of the known ones. */
    public static ConfigFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return JSON;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return YAML;
        }
        if (name.endsWith(".toml")) {
            return TOML;
        }
        return null;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Pretty text of {@code tree}; JSON is indented by two spaces like Go's MarshalIndent ("key": value, []). */
    public String write(JsonNode tree) {
        try {
            if (this == JSON) {
                DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
                DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                        .withObjectIndenter(indenter);
                printer.indentArraysWith(indenter);
                return mapper.writer(printer).writeValueAsString(tree) + "\n";
            }
            return mapper.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as " + this, e);
        }
    }
}
