package dev.neurolens.concept;

import dev.neurolens.corpus.Language;
import dev.neurolens.corpus.RoleRule;
import dev.neurolens.corpus.SyntaxTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Identifier roles: declaration vs use of variables, parameters, fields, methods, types, packages.
 *
 * <p>First the language's rule table (parent type, field, grandparent) gives a role; a type
 * identifier no rule covers is TYPE_USE; any other identifier is resolved against the names the
 * snippet itself declares (a declared parameter's use is PARAMETER_USE...), else NAME_USE (a field,
 * constant or class declared elsewhere: no whole-program resolution). Non-identifiers are NONE.
 */
final class IdentifierRoles {
  static final String NONE = "NONE";

  private IdentifierRoles() {}

  /** One role per leaf in {@code leaves} (tree node indices), given their lexical classes. */
  static List<String> roles(Language lang, SyntaxTree t, int[] leaves, List<LexicalClass> classes) {
    String[] out = new String[leaves.length];
    Map<String, String> declared = new HashMap<>();
    for (int k = 0; k < leaves.length; k++) {
      LexicalClass c = classes.get(k);
      if (c != LexicalClass.IDENTIFIER && c != LexicalClass.TYPE_IDENTIFIER) {
        out[k] = NONE;
        continue;
      }
      int i = leaves[k];
      String role = underPackage(lang, t, i) ? "PACKAGE" : ruleRole(lang, t, i);
      if (role != null && role.endsWith("_DECL")) {
        declared.putIfAbsent(t.text(i), role.substring(0, role.length() - "_DECL".length()) + "_USE");
      }
      if (role == null && c == LexicalClass.TYPE_IDENTIFIER) {
        role = "TYPE_USE";
      }
      out[k] = role;
    }
    for (int k = 0; k < leaves.length; k++) {
      if (out[k] == null) {
        out[k] = declared.getOrDefault(t.text(leaves[k]), "NAME_USE");
      }
    }
    return new ArrayList<>(List.of(out));
  }

  private static boolean underPackage(Language lang, SyntaxTree t, int i) {
    for (int k = t.parent(i); k >= 0; k = t.parent(k)) {
      if (lang.packageTypes().contains(t.type(k))) {
        return true;
      }
    }
    return false;
  }

  private static String ruleRole(Language lang, SyntaxTree t, int i) {
    int p = t.parent(i);
    if (p < 0) {
      return null;
    }
    int gp = t.parent(p);
    String gpType = gp < 0 ? null : t.type(gp);
    for (RoleRule r : lang.roleRules()) {
      if (r.matches(t.type(p), t.field(i), gpType, t.field(p))) {
        return r.role();
      }
    }
    return null;
  }
}
