package dev.neurolens.corpus;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.treesitter.TSLanguage;

/**
 * One row of the language table: how to find, parse, cut and classify code of one language.
 *
 * <p>Node type names are those of the language's tree-sitter grammar. Leaves of the syntax tree are
 * the code tokens, except that a node of an {@code atomicTypes} type (a string literal with its
 * quotes and escapes, a character literal) is one token. Anonymous leaves (keywords, operators,
 * punctuation) are classified by their text: a word is a keyword, a member of {@code punctuation}
 * is punctuation, anything else an operator.
 *
 * <p>Usage: {@code Language java = Languages.byName("java"); boolean ok = java.matches("Foo.java")}
 *
 * @param name lower-case language name ({@code --lang})
 * @param extensions file name endings with the dot ({@code ".java"})
 * @param grammar factory of the tree-sitter language (natives are loaded on first use)
 * @param functionTypes node types that are one method/function snippet (outermost one wins)
 * @param functionWrapperTypes parent types that belong to a function (Python decorators)
 * @param atomicTypes node types that form one token although they have children
 * @param commentTypes comment leaves
 * @param stringTypes string literal types (atomic)
 * @param charTypes character literal types
 * @param numberTypes numeric literal types
 * @param boolNullTypes boolean and null literal types
 * @param identifierTypes identifier leaves (variables, methods, fields, packages)
 * @param typeIdentifierTypes identifiers the grammar marks as type names
 * @param keywordTypes named leaves that are keywords ({@code this}, {@code void_type})
 * @param punctuation texts of anonymous leaves that are brackets or separators
 * @param operatorTypes named leaves that are operators ({@code asterisk}, {@code optional_chain})
 * @param blockTypes node types that open one level of block nesting
 * @param loopTypes loop statements
 * @param branchTypes decision points for cyclomatic complexity (if, case, catch, ternary...)
 * @param logicalOperators short-circuit operators counted as decision points
 * @param returnStatementTypes return statements
 * @param returnTypeField field of a function node holding the declared return type (or null)
 * @param returnTypeMandatory whether a function without that field returns nothing (Go, Java
 *     constructors)
 * @param voidReturnTexts declared return types that mean "returns nothing"
 * @param roleRules identifier-role rules, first match wins
 * @param packageTypes an identifier under one of these node types is a package/import name
 * @param wrappers prefix/suffix pairs tried in order when a snippet does not parse on its own
 */
public record Language(
    String name,
    List<String> extensions,
    Supplier<TSLanguage> grammar,
    Set<String> functionTypes,
    Set<String> functionWrapperTypes,
    Set<String> atomicTypes,
    Set<String> commentTypes,
    Set<String> stringTypes,
    Set<String> charTypes,
    Set<String> numberTypes,
    Set<String> boolNullTypes,
    Set<String> identifierTypes,
    Set<String> typeIdentifierTypes,
    Set<String> keywordTypes,
    Set<String> punctuation,
    Set<String> operatorTypes,
    Set<String> blockTypes,
    Set<String> loopTypes,
    Set<String> branchTypes,
    Set<String> logicalOperators,
    Set<String> returnStatementTypes,
    String returnTypeField,
    boolean returnTypeMandatory,
    Set<String> voidReturnTexts,
    List<RoleRule> roleRules,
    Set<String> packageTypes,
    List<List<String>> wrappers) {

  public Language {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(grammar, "grammar");
    extensions = List.copyOf(extensions);
    functionTypes = Set.copyOf(functionTypes);
    functionWrapperTypes = Set.copyOf(functionWrapperTypes);
    atomicTypes = Set.copyOf(atomicTypes);
    commentTypes = Set.copyOf(commentTypes);
    stringTypes = Set.copyOf(stringTypes);
    charTypes = Set.copyOf(charTypes);
    numberTypes = Set.copyOf(numberTypes);
    boolNullTypes = Set.copyOf(boolNullTypes);
    identifierTypes = Set.copyOf(identifierTypes);
    typeIdentifierTypes = Set.copyOf(typeIdentifierTypes);
    keywordTypes = Set.copyOf(keywordTypes);
    punctuation = Set.copyOf(punctuation);
    operatorTypes = Set.copyOf(operatorTypes);
    blockTypes = Set.copyOf(blockTypes);
    loopTypes = Set.copyOf(loopTypes);
    branchTypes = Set.copyOf(branchTypes);
    logicalOperators = Set.copyOf(logicalOperators);
    returnStatementTypes = Set.copyOf(returnStatementTypes);
    voidReturnTexts = Set.copyOf(voidReturnTexts);
    roleRules = List.copyOf(roleRules);
    packageTypes = Set.copyOf(packageTypes);
    wrappers = wrappers.stream().map(List::copyOf).toList();
    for (List<String> w : wrappers) {
      if (w.size() != 2) {
        throw new IllegalArgumentException(name + ": a wrapper is [prefix, suffix], found " + w);
      }
    }
  }

  /** Whether {@code fileName} has one of this language's extensions. */
  public boolean matches(String fileName) {
    for (String ext : extensions) {
      if (fileName.endsWith(ext)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return name;
  }
}
