package dev.neurolens.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.treesitter.TSLanguage;

/** Fluent construction of one {@link Language} table row; unset sets are empty. */
final class LanguageBuilder {
  private final String name;
  private final Supplier<TSLanguage> grammar;
  private List<String> extensions = List.of();
  private Set<String> functionTypes = Set.of();
  private Set<String> functionWrapperTypes = Set.of();
  private Set<String> atomicTypes = Set.of();
  private Set<String> commentTypes = Set.of();
  private Set<String> stringTypes = Set.of();
  private Set<String> charTypes = Set.of();
  private Set<String> numberTypes = Set.of();
  private Set<String> boolNullTypes = Set.of();
  private Set<String> identifierTypes = Set.of();
  private Set<String> typeIdentifierTypes = Set.of();
  private Set<String> keywordTypes = Set.of();
  private Set<String> punctuation = Set.of("(", ")", "[", "]", "{", "}", ",", ";", ".");
  private Set<String> operatorTypes = Set.of();
  private Set<String> blockTypes = Set.of();
  private Set<String> loopTypes = Set.of();
  private Set<String> branchTypes = Set.of();
  private Set<String> logicalOperators = Set.of();
  private Set<String> returnStatementTypes = Set.of("return_statement");
  private String returnTypeField;
  private boolean returnTypeMandatory;
  private Set<String> voidReturnTexts = Set.of();
  private final List<RoleRule> roleRules = new ArrayList<>();
  private Set<String> packageTypes = Set.of();
  private final List<List<String>> wrappers = new ArrayList<>(List.of(List.of("", "")));

  LanguageBuilder(String name, Supplier<TSLanguage> grammar) {
    this.name = name;
    this.grammar = grammar;
  }

  LanguageBuilder extensions(String... v) { extensions = List.of(v); return this; }
  LanguageBuilder functions(String... v) { functionTypes = Set.of(v); return this; }
  LanguageBuilder functionWrappers(String... v) { functionWrapperTypes = Set.of(v); return this; }
  LanguageBuilder atomic(String... v) { atomicTypes = Set.of(v); return this; }
  LanguageBuilder comments(String... v) { commentTypes = Set.of(v); return this; }
  LanguageBuilder strings(String... v) { stringTypes = Set.of(v); return this; }
  LanguageBuilder chars(String... v) { charTypes = Set.of(v); return this; }
  LanguageBuilder numbers(String... v) { numberTypes = Set.of(v); return this; }
  LanguageBuilder boolNull(String... v) { boolNullTypes = Set.of(v); return this; }
  LanguageBuilder identifiers(String... v) { identifierTypes = Set.of(v); return this; }
  LanguageBuilder typeIdentifiers(String... v) { typeIdentifierTypes = Set.of(v); return this; }
  LanguageBuilder keywordLeaves(String... v) { keywordTypes = Set.of(v); return this; }
  LanguageBuilder punctuation(String... v) { punctuation = Set.of(v); return this; }
  LanguageBuilder operatorLeaves(String... v) { operatorTypes = Set.of(v); return this; }
  LanguageBuilder blocks(String... v) { blockTypes = Set.of(v); return this; }
  LanguageBuilder loops(String... v) { loopTypes = Set.of(v); return this; }
  LanguageBuilder branches(String... v) { branchTypes = Set.of(v); return this; }
  LanguageBuilder logical(String... v) { logicalOperators = Set.of(v); return this; }
  LanguageBuilder returns(String... v) { returnStatementTypes = Set.of(v); return this; }
  LanguageBuilder packages(String... v) { packageTypes = Set.of(v); return this; }

  LanguageBuilder returnType(String field, boolean mandatory, String... voidTexts) {
    returnTypeField = field;
    returnTypeMandatory = mandatory;
    voidReturnTexts = Set.of(voidTexts);
    return this;
  }

  /** Adds a rule "identifier in {@code parent}[.field] has role". */
  LanguageBuilder role(String parent, String field, String role) {
    roleRules.add(RoleRule.of(parent, field, role));
    return this;
  }

  /** Adds a rule that also checks the grandparent and the parent's field in it. */
  LanguageBuilder role(String grandparent, String parentField, String parent, String field, String role) {
    roleRules.add(new RoleRule(parent, field, grandparent, parentField, role));
    return this;
  }

  LanguageBuilder wrapper(String prefix, String suffix) {
    wrappers.add(List.of(prefix, suffix));
    return this;
  }

  Language build() {
    return new Language(
        name, extensions, grammar, functionTypes, functionWrapperTypes, atomicTypes, commentTypes,
        stringTypes, charTypes, numberTypes, boolNullTypes, identifierTypes, typeIdentifierTypes,
        keywordTypes, punctuation, operatorTypes, blockTypes, loopTypes, branchTypes, logicalOperators,
        returnStatementTypes, returnTypeField, returnTypeMandatory, voidReturnTexts, roleRules,
        packageTypes, wrappers);
  }
}
