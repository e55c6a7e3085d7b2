package dev.neurolens.corpus;

/**
 * One row of a language's identifier-role table: an identifier leaf whose parent has type {@code
 * parent} (and, when not null, sits in field {@code field} of it, with a grandparent of type {@code
 * grandparent} holding the parent in field {@code parentField}) has role {@code role}.
 *
 * <p>Null components match anything. The first matching rule of a language wins.
 *
 * <p>Usage: {@code RoleRule r = RoleRule.of("method_declaration", "name", "METHOD_DECL")}
 */
public record RoleRule(String parent, String field, String grandparent, String parentField, String role) {
  public RoleRule {
    if (parent == null || parent.isBlank() || role == null || role.isBlank()) {
      throw new IllegalArgumentException("RoleRule: parent and role must be set, found " + parent + "/" + role);
    }
  }

  /** A rule on the parent type and the leaf's field only. */
  public static RoleRule of(String parent, String field, String role) {
    return new RoleRule(parent, field, null, null, role);
  }

  /** Whether this rule matches a leaf with the given context (null = absent). */
  public boolean matches(String parentType, String leafField, String grandparentType, String parentFieldName) {
    return parent.equals(parentType)
        && (field == null || field.equals(leafField))
        && (grandparent == null || grandparent.equals(grandparentType))
        && (parentField == null || parentField.equals(parentFieldName));
  }
}
