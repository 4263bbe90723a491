public enum LinkAuditVersion {
  public static let current = "0.1.0"
}
