import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditStore

/// What each platform's indicators rest on over the rating window, case by
/// case: the upheld complaints (by id) behind v and s, the restricted events
/// by category behind r, the events opened under a decision (by id) behind x,
/// and the unregistered domains that offend most.
public struct RatingEvidence: Sendable {
  public struct Complaint: Sendable, Equatable {
    public var complaintID: String
    public var platformID: String
    public var principle: Int
    public var category: String
    /// UTC, as stored.
    public var receivedAt: String
    public var actionTaken: String?
    public var domain: String
  }

  public struct Restriction: Sendable, Equatable {
    public var platformID: String
    public var principle: Int
    public var category: String
    public var events: Int64
  }

  public struct Exposure: Sendable, Equatable {
    public var platformID: String
    public var eventID: String
    /// UTC, as stored.
    public var occurredAt: String
    /// The decision's principle (the lowest, where decisions of several cover the event).
    public var principle: Int
    public var domain: String
  }

  /// An unregistered domain: its events, upheld complaints of principles 1-3,
  /// restricted events of principles 1-3 and opens under a decision, over the window.
  public struct Domain: Sendable, Equatable {
    public var domain: String
    public var events: Int64
    public var upheld: Int64
    public var restrictions: Int64
    public var exposed: Int64
  }

  public let complaints: [Complaint]
  public let restrictions: [Restriction]
  public let exposures: [Exposure]
  /// The unregistered domains with most upheld complaints, then restrictions (`domainLimit`).
  public let unregisteredDomains: [Domain]
  public static let domainLimit = 10

  public init(database db: Database, parameters: [String: SQLValue]) throws {
    complaints = try db.records(Self.complaintsSQL, named: parameters, source: "the rating evidence: complaints").map {
      Complaint(
        complaintID: try $0.text("complaint_id"), platformID: try $0.text("platform_id"),
        principle: Int(try $0.integer("principle")), category: try $0.text("category"),
        receivedAt: try $0.text("received_at"), actionTaken: $0.optionalText("action_taken"),
        domain: PersonalNumberMask.mask(try $0.text("domain")))
    }
    restrictions = try db.records(Self.restrictionsSQL, named: parameters, source: "the rating evidence: restrictions")
      .map {
        Restriction(
          platformID: try $0.text("platform_id"), principle: Int(try $0.integer("principle")),
          category: try $0.text("category"), events: try $0.integer("events"))
      }
    exposures = try db.records(Self.exposuresSQL, named: parameters, source: "the rating evidence: opens").map {
      Exposure(
        platformID: try $0.text("platform_id"), eventID: try $0.text("event_id"),
        occurredAt: try $0.text("occurred_at"), principle: Int(try $0.integer("principle")),
        domain: PersonalNumberMask.mask(try $0.text("domain")))
    }
    var named = parameters
    named[":limit"] = .integer(Int64(Self.domainLimit))
    unregisteredDomains = try db.records(
      Self.unregisteredDomainsSQL, named: named, source: "the rating evidence: unregistered domains"
    ).map {
      // A phone or ID number in a host is masked wherever the evidence is shown (finding A21's rule).
      Domain(
        domain: PersonalNumberMask.mask(try $0.text("domain")), events: try $0.integer("events"),
        upheld: try $0.integer("upheld"),
        restrictions: try $0.integer("restrictions"), exposed: try $0.integer("exposed"))
    }
  }

  public func complaints(of platformID: String, severeOnly: Bool = false) -> [Complaint] {
    complaints.filter { $0.platformID == platformID && (!severeOnly || $0.principle <= 2) }
  }
  public func restrictions(of platformID: String) -> [Restriction] {
    restrictions.filter { $0.platformID == platformID }
  }
  public func exposures(of platformID: String) -> [Exposure] { exposures.filter { $0.platformID == platformID } }

  /// Upheld complaints of principles 1-3 received in the window: v (and s, those of 1-2).
  public static let complaintsSQL = """
    SELECT complaint_id, platform_id, principle, category, received_at, action_taken, domain
    FROM complaint
    WHERE received_at >= :window_start AND received_at < :end AND outcome = 'upheld' AND principle IN (1, 2, 3)
    ORDER BY platform_id, principle, received_at, complaint_id
    """

  /// Restricted events of principles 1-3 by category: r. From the rollup of
  /// events by reason (`reason_month`), so a quarter counted in the warehouse
  /// lists them as one imported directly does, and the rows add up to r.
  public static let restrictionsSQL = """
    SELECT h.platform_id, m.principle, m.reason AS category, sum(m.events) AS events
    FROM reason_month m JOIN host h USING (host_id)
    WHERE m.principle IN (1, 2, 3) AND m.action <> 'open' AND m.month_start >= :window_start AND m.month_start < :end
    GROUP BY h.platform_id, m.principle, m.reason
    ORDER BY h.platform_id, m.principle, events DESC, m.reason
    """

  /// Events opened under a standing decision of principles 1-3, each once: x.
  public static let exposuresSQL = """
    SELECT h.platform_id, e.event_id, o.occurred_at, min(o.principle) AS principle, h.domain
    FROM decision_open o JOIN host h USING (host_id) JOIN link_event e ON e.event_rowid = o.event_rowid
    WHERE o.principle IN (1, 2, 3) AND o.action = 'open' AND o.occurred_at >= :window_start AND o.occurred_at < :end
    GROUP BY o.event_rowid
    ORDER BY h.platform_id, o.occurred_at, e.event_id
    """

  /// The unregistered domains (platform `other`) with most upheld complaints
  /// of principles 1-3, then most restricted events, over the window.
  public static let unregisteredDomainsSQL = """
    WITH n AS (
      SELECT h.domain, sum(m.events) AS events,
        sum(CASE WHEN m.principle IN (1, 2, 3) AND m.action <> 'open' THEN m.events ELSE 0 END) AS restrictions
      FROM host_month m JOIN host h USING (host_id)
      WHERE h.platform_id = 'other' AND m.month_start >= :window_start AND m.month_start < :end
      GROUP BY h.domain),
    u AS (
      SELECT domain, count(*) AS upheld FROM complaint
      WHERE platform_id = 'other' AND outcome = 'upheld' AND principle IN (1, 2, 3)
        AND received_at >= :window_start AND received_at < :end
      GROUP BY domain),
    x AS (
      SELECT h.domain, count(DISTINCT o.event_rowid) AS exposed
      FROM decision_open o JOIN host h USING (host_id)
      WHERE h.platform_id = 'other' AND o.principle IN (1, 2, 3) AND o.action = 'open'
        AND o.occurred_at >= :window_start AND o.occurred_at < :end
      GROUP BY h.domain),
    d AS (SELECT domain FROM n UNION SELECT domain FROM u)
    SELECT d.domain, coalesce(n.events, 0) AS events, coalesce(u.upheld, 0) AS upheld,
      coalesce(n.restrictions, 0) AS restrictions, coalesce(x.exposed, 0) AS exposed
    FROM d LEFT JOIN n ON n.domain = d.domain LEFT JOIN u ON u.domain = d.domain LEFT JOIN x ON x.domain = d.domain
    WHERE coalesce(u.upheld, 0) > 0 OR coalesce(n.restrictions, 0) > 0
    ORDER BY upheld DESC, restrictions DESC, d.domain
    LIMIT :limit
    """
}
