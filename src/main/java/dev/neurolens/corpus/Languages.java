package dev.neurolens.corpus;

import dev.neurolens.util.NeuroLensException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.treesitter.TreeSitterGo;
import org.treesitter.TreeSitterJava;
import org.treesitter.TreeSitterJavascript;
import org.treesitter.TreeSitterPython;

/**
 * The language table. Adding a language = one entry in {@link #ALL} (plus its tree-sitter grammar
 * dependency); no other code changes.
 *
 * <p>Identifier roles used by the rules: {@code PACKAGE, TYPE_DECL, TYPE_USE, METHOD_DECL,
 * METHOD_USE, FIELD_DECL, FIELD_USE, PARAMETER_DECL, VARIABLE_DECL, LABEL}; uses of names that no
 * rule covers are resolved by the labeller against the snippet's own declarations.
 *
 * <p>Usage: {@code Language lang = Languages.forFile("main.go").orElse(Languages.JAVA)}
 */
public final class Languages {
  public static final Language JAVA =
      new LanguageBuilder("java", TreeSitterJava::new)
          .extensions(".java")
          .functions("method_declaration", "constructor_declaration", "compact_constructor_declaration")
          .atomic("string_literal", "character_literal")
          .comments("line_comment", "block_comment")
          .strings("string_literal")
          .chars("character_literal")
          .numbers("decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
              "binary_integer_literal", "decimal_floating_point_literal", "hex_floating_point_literal")
          .boolNull("true", "false", "null_literal")
          .identifiers("identifier")
          .typeIdentifiers("type_identifier")
          .keywordLeaves("this", "super", "void_type", "boolean_type")
          .punctuation("(", ")", "[", "]", "{", "}", ",", ";", ".", "@", "...", "::")
          .operatorLeaves("asterisk")
          .blocks("block", "class_body", "interface_body", "enum_body", "switch_block",
              "constructor_body", "annotation_type_body")
          .loops("for_statement", "enhanced_for_statement", "while_statement", "do_statement")
          .branches("if_statement", "switch_label", "catch_clause", "ternary_expression")
          .logical("&&", "||")
          .returnType("type", true, "void")
          .role("method_declaration", "name", "METHOD_DECL")
          .role("constructor_declaration", "name", "METHOD_DECL")
          .role("compact_constructor_declaration", "name", "METHOD_DECL")
          .role("class_declaration", "name", "TYPE_DECL")
          .role("interface_declaration", "name", "TYPE_DECL")
          .role("enum_declaration", "name", "TYPE_DECL")
          .role("record_declaration", "name", "TYPE_DECL")
          .role("annotation_type_declaration", "name", "TYPE_DECL")
          .role("type_parameter", null, "TYPE_DECL")
          .role("formal_parameter", "name", "PARAMETER_DECL")
          .role("catch_formal_parameter", "name", "PARAMETER_DECL")
          .role("spread_parameter", null, "variable_declarator", "name", "PARAMETER_DECL")
          .role("field_declaration", null, "variable_declarator", "name", "FIELD_DECL")
          .role("constant_declaration", null, "variable_declarator", "name", "FIELD_DECL")
          .role("variable_declarator", "name", "VARIABLE_DECL")
          .role("lambda_expression", "parameters", "PARAMETER_DECL")
          .role("inferred_parameters", null, "PARAMETER_DECL")
          .role("enhanced_for_statement", "name", "VARIABLE_DECL")
          .role("resource", "name", "VARIABLE_DECL")
          .role("enum_constant", "name", "FIELD_DECL")
          .role("method_invocation", "name", "METHOD_USE")
          .role("field_access", "field", "FIELD_USE")
          .role("annotation", "name", "TYPE_USE")
          .role("marker_annotation", "name", "TYPE_USE")
          .role("labeled_statement", null, "LABEL")
          .role("break_statement", null, "LABEL")
          .role("continue_statement", null, "LABEL")
          .packages("package_declaration", "import_declaration")
          .wrapper("class _W {\n", "\n}")
          .build();

  public static final Language PYTHON =
      new LanguageBuilder("python", TreeSitterPython::new)
          .extensions(".py")
          .functions("function_definition")
          .functionWrappers("decorated_definition")
          .atomic("string")
          .comments("comment")
          .strings("string")
          .numbers("integer", "float")
          .boolNull("true", "false", "none")
          .identifiers("identifier")
          .punctuation("(", ")", "[", "]", "{", "}", ",", ";", ".", ":")
          .blocks("block")
          .loops("for_statement", "while_statement")
          .branches("if_statement", "elif_clause", "except_clause", "conditional_expression",
              "case_clause", "if_clause")
          .logical("and", "or")
          .returnType("return_type", false, "None")
          .role("function_definition", "name", "METHOD_DECL")
          .role("class_definition", "name", "TYPE_DECL")
          .role("parameters", null, "PARAMETER_DECL")
          .role("typed_parameter", null, "PARAMETER_DECL")
          .role("default_parameter", "name", "PARAMETER_DECL")
          .role("typed_default_parameter", "name", "PARAMETER_DECL")
          .role("list_splat_pattern", null, "PARAMETER_DECL")
          .role("dictionary_splat_pattern", null, "PARAMETER_DECL")
          .role("lambda_parameters", null, "PARAMETER_DECL")
          .role("call", "function", "METHOD_USE")
          .role("call", "function", "attribute", "attribute", "METHOD_USE")
          .role("attribute", "attribute", "FIELD_USE")
          .role("decorator", null, "METHOD_USE")
          .role("assignment", "left", "VARIABLE_DECL")
          .role("assignment", "left", "pattern_list", null, "VARIABLE_DECL")
          .role("for_statement", "left", "VARIABLE_DECL")
          .role("for_statement", "left", "pattern_list", null, "VARIABLE_DECL")
          .role("type", null, "TYPE_USE")
          .packages("import_statement", "import_from_statement")
          .build();

  public static final Language JAVASCRIPT =
      new LanguageBuilder("javascript", TreeSitterJavascript::new)
          .extensions(".js", ".mjs", ".cjs", ".jsx")
          .functions("function_declaration", "generator_function_declaration", "method_definition")
          .atomic("string", "template_string", "regex")
          .comments("comment")
          .strings("string", "template_string")
          .numbers("number")
          .boolNull("true", "false", "null", "undefined")
          .identifiers("identifier", "property_identifier", "private_property_identifier",
              "shorthand_property_identifier", "shorthand_property_identifier_pattern",
              "statement_identifier")
          .keywordLeaves("this", "super")
          .punctuation("(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "${")
          .operatorLeaves("optional_chain")
          .blocks("statement_block", "class_body", "switch_body")
          .loops("for_statement", "for_in_statement", "while_statement", "do_statement")
          .branches("if_statement", "switch_case", "catch_clause", "ternary_expression")
          .logical("&&", "||", "??")
          .role("function_declaration", "name", "METHOD_DECL")
          .role("generator_function_declaration", "name", "METHOD_DECL")
          .role("method_definition", "name", "METHOD_DECL")
          .role("class_declaration", "name", "TYPE_DECL")
          .role("formal_parameters", null, "PARAMETER_DECL")
          .role("formal_parameters", null, "assignment_pattern", "left", "PARAMETER_DECL")
          .role("arrow_function", "parameter", "PARAMETER_DECL")
          .role("variable_declarator", "name", "VARIABLE_DECL")
          .role("call_expression", "function", "METHOD_USE")
          .role("call_expression", "function", "member_expression", "property", "METHOD_USE")
          .role("member_expression", "property", "FIELD_USE")
          .role("pair", "key", "FIELD_DECL")
          .role("field_definition", "property", "FIELD_DECL")
          .role("new_expression", "constructor", "TYPE_USE")
          .role("class_heritage", null, "TYPE_USE")
          .role("labeled_statement", "label", "LABEL")
          .role("break_statement", "label", "LABEL")
          .role("continue_statement", "label", "LABEL")
          .packages("import_statement")
          .wrapper("class _W {\n", "\n}")
          .build();

  public static final Language GO =
      new LanguageBuilder("go", TreeSitterGo::new)
          .extensions(".go")
          .functions("function_declaration", "method_declaration")
          .atomic("interpreted_string_literal", "raw_string_literal", "rune_literal")
          .comments("comment")
          .strings("interpreted_string_literal", "raw_string_literal")
          .chars("rune_literal")
          .numbers("int_literal", "float_literal", "imaginary_literal")
          .boolNull("true", "false", "nil")
          .identifiers("identifier", "field_identifier", "package_identifier", "label_name",
              "blank_identifier")
          .typeIdentifiers("type_identifier")
          .keywordLeaves("iota")
          .punctuation("(", ")", "[", "]", "{", "}", ",", ";", ".", ":")
          .blocks("block", "field_declaration_list")
          .loops("for_statement")
          .branches("if_statement", "expression_case", "type_case", "communication_case")
          .logical("&&", "||")
          .returnType("result", true)
          .role("function_declaration", "name", "METHOD_DECL")
          .role("method_declaration", "name", "METHOD_DECL")
          .role("parameter_declaration", "name", "PARAMETER_DECL")
          .role("variadic_parameter_declaration", "name", "PARAMETER_DECL")
          .role("type_spec", "name", "TYPE_DECL")
          .role("field_declaration", "name", "FIELD_DECL")
          .role("var_spec", "name", "VARIABLE_DECL")
          .role("const_spec", "name", "VARIABLE_DECL")
          .role("short_var_declaration", "left", "expression_list", null, "VARIABLE_DECL")
          .role("range_clause", "left", "expression_list", null, "VARIABLE_DECL")
          .role("call_expression", "function", "METHOD_USE")
          .role("call_expression", "function", "selector_expression", "field", "METHOD_USE")
          .role("selector_expression", "field", "FIELD_USE")
          .role("qualified_type", "package", "PACKAGE")
          .role("labeled_statement", "label", "LABEL")
          .packages("package_clause", "import_declaration")
          .wrapper("package _w\n", "")
          .build();

  /** Every supported language, in table order. */
  public static final List<Language> ALL = List.of(JAVA, PYTHON, JAVASCRIPT, GO);

  private Languages() {}

  /** The language called {@code name} (case-insensitive; "js" and "py" are accepted too). */
  public static Language byName(String name) {
    String n = name.toLowerCase(Locale.ROOT).strip();
    for (Language l : ALL) {
      if (l.name().equals(n) || l.extensions().contains("." + n)) {
        return l;
      }
    }
    throw new NeuroLensException(
        "--lang: unknown language '" + name + "'; known: " + ALL.stream().map(Language::name).toList());
  }

  /** The language of a file, from its name's extension. */
  public static Optional<Language> forFile(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    return ALL.stream().filter(l -> l.matches(lower)).findFirst();
  }
}
