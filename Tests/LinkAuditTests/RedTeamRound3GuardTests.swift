import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the third attack's C5, C6, C7 and C11, through the built
/// binary as a user runs it, in a folder of the test's own.
/// docs/reliability-round3-guard2.md lists them.
@Suite struct RedTeamRound3GuardTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("g.db") }
  var key: [String] { ["--key-file", dir.file("g.key")] }
  var here: URL { URL(fileURLWithPath: dir.path) }
  var templates: [String] { ["--templates", LinkauditBinary.packageRoot.appendingPathComponent("templates").path] }

  func run(_ arguments: [String], database: String? = nil) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database ?? self.database, in: here)
  }

  func report(_ more: [String], database: String? = nil) throws -> LinkauditBinary.Run {
    try run(["report", "--quarter", "2021-Q4"] + templates + more, database: database)
  }

  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  func importLinks(_ name: String, _ rows: [String]) throws {
    let csv = try PackageFixture.links(name, rows, in: dir)
    let result = try run(["import", "links", csv] + key)
    #expect(result.status == 0, "\(result.stderr)")
  }

  func seeded() throws {
    try importLinks("seed.csv", PackageFixture.quarterRows)
  }

  func signingKey() throws -> (pem: String, pub: String) {
    try PackageFixture.issuerKey(in: dir) { try run($0) }
  }

  func journalMode() throws -> String? {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try db.scalar("PRAGMA journal_mode").text
  }

  /// Each archive `verify` refuses, naming the difference, with its bytes left as they were.
  func expectRefused(_ expected: [String: String], publicKey pub: String) throws {
    for (name, message) in expected {
      let before = bytes(dir.file(name))
      let result = try run(["verify", dir.file(name), "--public-key", pub])
      #expect(result.status == 1, "\(name): \(result.stderr)")
      #expect(result.stderr.contains("difference(s) found:\n"), "\(name): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
      #expect(bytes(dir.file(name)) == before)
    }
  }

  /// Runs python3 to write a zip (the archive shapes a hostile sender makes).
  func python(_ script: String, _ arguments: [String]) throws { try PackageFixture.python(script, arguments) }

  // MARK: C5

  /// C5: an archive is exactly what its central directory lists. Hidden
  /// local entries before the genuine ones (what Java's ZipInputStream
  /// reads), bytes after the end record, a comment, bytes between the
  /// central directory and the end record, and a local header that names
  /// another file are each named, count first, and verification goes on;
  /// the archive linkaudit wrote still verifies, and doctor says the same.
  @Test func c5_anArchiveHoldsNothingButWhatItsCentralDirectoryLists() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    #expect(try report(["--archive", "--signing-key", pem]).status == 0)
    let zip = dir.file("reports/linkaudit-2021-Q4-v1.zip")
    let genuine = try run(["verify", zip, "--public-key", pub])
    #expect(genuine.status == 0, "\(genuine.stderr)")
    try python(
      """
      import sys, zipfile, struct, io
      g = open(sys.argv[1], 'rb').read(); z = zipfile.ZipFile(sys.argv[1]); buf = io.BytesIO()
      with zipfile.ZipFile(buf, 'w') as t:
          for i in z.infolist():
              b = z.read(i.filename)
              if i.filename.endswith('metrics.csv'): b = b.replace(b'overview.events,', b'overview.events,9')
              t.writestr(i, b)
      tb = buf.getvalue(); e = tb.rfind(b'PK\\x05\\x06'); P = tb[:struct.unpack('<I', tb[e+16:e+20])[0]]
      e = g.rfind(b'PK\\x05\\x06'); cdsize, cdo = struct.unpack('<II', g[e+12:e+20]); n = struct.unpack('<H', g[e+10:e+12])[0]
      cd = bytearray(g[cdo:cdo+cdsize]); p = 0
      for k in range(n):
          fl, el, cl = struct.unpack('<HHH', cd[p+28:p+34]); off = struct.unpack('<I', cd[p+42:p+46])[0]
          cd[p+42:p+46] = struct.pack('<I', off + len(P)); p += 46 + fl + el + cl
      eo = bytearray(g[e:]); eo[16:20] = struct.pack('<I', cdo + len(P))
      open(sys.argv[2], 'wb').write(P + g[:cdo] + bytes(cd) + bytes(eo))
      open(sys.argv[3], 'wb').write(g + b'junk')
      c = bytearray(g[e:]); c[20:22] = struct.pack('<H', 4); open(sys.argv[4], 'wb').write(g[:e] + bytes(c) + b'note')
      open(sys.argv[5], 'wb').write(g[:e] + b'PK\\x05\\x06' + g[e:])
      l = bytearray(g); nl = struct.unpack('<H', l[26:28])[0]; l[30+nl-1] ^= 1; open(sys.argv[6], 'wb').write(bytes(l))
      """,
      [
        zip, dir.file("hidden.zip"), dir.file("trailing.zip"), dir.file("comment.zip"), dir.file("gap.zip"),
        dir.file("renamed.zip"),
      ])
    let expected = [
      "hidden.zip": "hidden.zip: ",
      "trailing.zip": "trailing.zip: 4 byte(s) after the archive's end record (a comment or appended data)",
      "comment.zip": "comment.zip: 4 byte(s) after the archive's end record (a comment or appended data)",
      "gap.zip": "gap.zip: 4 byte(s) between the central directory and the end record that it does not list",
      "renamed.zip": ": its local entry names another file (linkaudit-2021-Q4-v1/",
    ]
    try expectRefused(expected, publicKey: pub)
    // Other writers' well-formed layouts still verify: data descriptors (a
    // zip streamed to a pipe), zip64 fields, and both.
    try python(
      """
      import sys, zipfile, io
      src = zipfile.ZipFile(sys.argv[1]); items = [(i, src.read(i.filename)) for i in src.infolist()]
      class Pipe(io.RawIOBase):
          def __init__(self): self.b = bytearray()
          def write(self, d): self.b += d; return len(d)
          def writable(self): return True
      for name, zip64, streamed in [(sys.argv[2], False, True), (sys.argv[3], True, False), (sys.argv[4], True, True)]:
          out = Pipe() if streamed else open(name, 'wb')
          with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
              for i, b in items:
                  with z.open(zipfile.ZipInfo(i.filename, i.date_time), 'w', force_zip64=zip64) as f: f.write(b)
          if streamed: open(name, 'wb').write(bytes(out.b))
      """, [zip, dir.file("streamed.zip"), dir.file("zip64.zip"), dir.file("streamed-zip64.zip")])
    for name in ["streamed.zip", "zip64.zip", "streamed-zip64.zip"] {
      let fine = try run(["verify", dir.file(name), "--public-key", pub])
      #expect(fine.status == 0, "\(name): \(fine.stderr)")
    }
    let hidden = try run(["verify", dir.file("hidden.zip"), "--public-key", pub])
    #expect(
      hidden.stderr.contains("byte(s) at offset 0 that its central directory does not list"), "\(hidden.stderr)")
    // The figures the central directory lists are the signed ones: the check goes on and says so.
    #expect(hidden.stderr.contains("1 difference(s) found"), "\(hidden.stderr)")
    // doctor reads the archive handed over the same way.
    try FileManager.default.removeItem(atPath: zip)
    try FileManager.default.copyItem(atPath: dir.file("hidden.zip"), toPath: zip)
    let doctor = try run(["doctor", "--signing-key", pem] + key)
    #expect(doctor.stdout.contains("that its central directory does not list"), "\(doctor.stdout)")
  }

  // MARK: D12

  /// D12: the layout check reads the directory verify's reader reads. An
  /// archive whose end record names a tampered directory while a zip64
  /// record and locator (hidden in the last central entry's comment) name
  /// the genuine one, with the genuine local entry hidden in an extra
  /// field, is refused, count first, bytes unchanged, doctor too; a locator
  /// pointing elsewhere is named; a zip64 end record that agrees with the
  /// end record (placeholders or equal values) still verifies.
  @Test func d12_theEndRecordAndTheZip64EndRecordNameOneCentralDirectory() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    #expect(try report(["--archive", "--signing-key", pem]).status == 0)
    let zip = dir.file("reports/linkaudit-2021-Q4-v1.zip")
    try python(
      """
      import sys, struct, zlib, zipfile
      g = open(sys.argv[1], 'rb').read()
      e = g.rfind(b'PK\\x05\\x06'); n = struct.unpack('<H', g[e+10:e+12])[0]; cdsize, cdo = struct.unpack('<II', g[e+12:e+20])
      cents = []; p = cdo
      for k in range(n):
          fl, el, cl = struct.unpack('<HHH', g[p+28:p+34]); off = struct.unpack('<I', g[p+42:p+46])[0]
          cents.append(dict(raw=g[p:p+46+fl+el+cl], name=g[p+46:p+46+fl], off=off, flags=struct.unpack('<H', g[p+8:p+10])[0])); p += 46+fl+el+cl
      order = sorted(cents, key=lambda c: c['off']); offs = [c['off'] for c in order] + [cdo]
      local = {c['name']: g[offs[i]:offs[i+1]] for i, c in enumerate(order)}
      M = [c['name'] for c in cents if c['name'].endswith(b'/metrics.csv')][0]
      orig = zipfile.ZipFile(sys.argv[1]).read(M.decode()); tam = orig.replace(b'overview.events,', b'overview.events,9'); assert tam != orig
      co = zlib.compressobj(9, zlib.DEFLATED, -15); tc = co.compress(tam) + co.flush(); tcrc = zlib.crc32(tam) & 0xffffffff
      gl = local[M]; lfl = struct.unpack('<H', gl[26:28])[0]
      T = bytearray(gl[:30+lfl]); T[6:8] = struct.pack('<H', struct.unpack('<H', T[6:8])[0] & ~8); T[14:26] = struct.pack('<III', tcrc, len(tc), len(tam)); T[28:30] = struct.pack('<H', 0); T += tc
      first = order[0]['name']; assert first != M
      fl0 = local[first]; f_fl, f_el = struct.unpack('<HH', fl0[26:30])
      hid = struct.pack('<HH', 0xCAFE, len(gl)) + gl
      L0 = bytearray(fl0[:28]) + struct.pack('<H', f_el + len(hid)) + fl0[30:30+f_fl+f_el] + hid + fl0[30+f_fl+f_el:]
      hidden_off = 30 + f_fl + f_el + 4
      out = bytearray(); newoff = {}
      for c in order:
          nm = c['name']; newoff[nm] = len(out); out += L0 if nm == first else (T if nm == M else local[nm])
      def cent(c, off, tampered=False):
          r = bytearray(c['raw'])
          if tampered: r[8:10] = struct.pack('<H', c['flags'] & ~8); r[16:28] = struct.pack('<III', tcrc, len(tc), len(tam))
          r[42:46] = struct.pack('<I', off); return r
      cdT_start = len(out); cdG = bytearray()
      for c in cents: cdG += cent(c, hidden_off if c['name'] == M else newoff[c['name']])
      entries_T = [cent(c, newoff[c['name']], c['name'] == M) for c in cents]
      head = b''.join(entries_T[:-1]); last = entries_T[-1]
      cdG_off = cdT_start + len(head) + len(last); z64_off = cdG_off + len(cdG)
      rec = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, len(cdG), cdG_off)
      loc = struct.pack('<IIQI', 0x07064b50, 0, z64_off, 1)
      comment = bytes(cdG) + rec + loc; assert struct.unpack('<H', last[32:34])[0] == 0
      last = bytearray(last); last[32:34] = struct.pack('<H', len(comment)); last += comment
      cdT = head + bytes(last)
      eocd = bytearray(g[e:e+22]); eocd[12:16] = struct.pack('<I', len(cdT)); eocd[16:20] = struct.pack('<I', cdT_start)
      open(sys.argv[2], 'wb').write(bytes(out) + cdT + bytes(eocd))
      # A zip64 end record as a writer past the classic limits puts it: placeholders, or the same values.
      rec = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, cdsize, cdo)
      held = bytearray(g[e:]); held[8:20] = struct.pack('<HHII', 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
      open(sys.argv[3], 'wb').write(g[:e] + rec + struct.pack('<IIQI', 0x07064b50, 0, e, 1) + bytes(held))
      open(sys.argv[4], 'wb').write(g[:e] + rec + struct.pack('<IIQI', 0x07064b50, 0, e, 1) + g[e:])
      open(sys.argv[5], 'wb').write(g[:e] + rec + struct.pack('<IIQI', 0x07064b50, 0, e - 1, 1) + bytes(held))
      # Offsets past Int64.max, where ZIPFoundation traps rather than fails.
      far = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, 2**63, 2**64 - 1)
      open(sys.argv[6], 'wb').write(g[:e] + far + struct.pack('<IIQI', 0x07064b50, 0, e, 1) + bytes(held))
      p = cdo; fl, el, cl = struct.unpack('<HHH', g[p+28:p+34]); c = bytearray(g[p:p+46+fl+el+cl]); c[42:46] = b'\\xff' * 4
      c = c[:46+fl] + struct.pack('<HHQ', 1, 8, 2**64 - 5) + c[46+fl:]; c[30:32] = struct.pack('<H', el + 12)
      cd = bytes(c) + g[p+46+fl+el+cl:cdo+cdsize]; eo = bytearray(g[e:]); eo[12:16] = struct.pack('<I', len(cd))
      open(sys.argv[7], 'wb').write(g[:cdo] + cd + bytes(eo))
      """,
      [
        zip, dir.file("two.zip"), dir.file("placeholders.zip"), dir.file("equal.zip"), dir.file("pointed.zip"),
        dir.file("far.zip"), dir.file("farentry.zip"),
      ])
    let expected = [
      "two.zip":
        "two.zip: the archive's end record and its zip64 end record name two central directories",
      "pointed.zip": "pointed.zip: the archive's zip64 locator points at offset",
      "far.zip": "far.zip: the archive's central directory lies outside the archive",
      "farentry.zip": ": no local entry where the central directory places it",
    ]
    try expectRefused(expected, publicKey: pub)
    let two = try run(["verify", dir.file("two.zip"), "--public-key", pub])
    // The tampered local entry and the classic directory are bytes the genuine directory does not list.
    #expect(two.stderr.contains("that its central directory does not list"), "\(two.stderr)")
    for name in ["placeholders.zip", "equal.zip"] {
      let fine = try run(["verify", dir.file(name), "--public-key", pub])
      #expect(fine.status == 0, "\(name): \(fine.stderr)")
    }
    // doctor reads the archive handed over the same way.
    try FileManager.default.removeItem(atPath: zip)
    try FileManager.default.copyItem(atPath: dir.file("two.zip"), toPath: zip)
    let before = bytes(zip)
    let doctor = try run(["doctor", "--signing-key", pem] + key)
    #expect(doctor.status == 1, "\(doctor.stdout)")
    #expect(doctor.stdout.contains("name two central directories"), "\(doctor.stdout)")
    #expect(bytes(zip) == before)
  }

  // MARK: C6

  /// C6: an invisible character outside the format category is refused in
  /// a reason, nothing written; one written with thin spaces, commas and
  /// Chinese numerals is filed masked in the ledger, the corrections and the manifest.
  @Test func c6_aReasonIsFiledWithEveryWayOfWritingANumberMasked() throws {
    try seeded()
    #expect(try report(["--lang", "en"]).status == 0)
    try importLinks("late.csv", ["l1,2021-11-01 10:00:00,search,user7,https://b.cn/,open,"])
    let before = bytes(database)
    for c in ["\u{034F}", "\u{FE0F}", "\u{2028}"] {
      let refused = try report(["--lang", "en", "--reason", "caller 138\(c)1234\(c)5678"])
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("(found \(TextRuleBreach.code(c.unicodeScalars.first!)))"), "\(refused.stderr)")
      #expect(bytes(database) == before)
    }
    let reason = "caller 138\u{2009}1234\u{2009}5678, also 139,8765,4321 / 一三九八七六五四三二一"
    let filed = try report(["--lang", "en", "--reason", reason])
    #expect(filed.status == 0, "\(filed.stderr)")
    let ledger = try run(["filings"])
    let corrections = try String(contentsOfFile: dir.file("reports/2021-Q4/corrections.en.md"), encoding: .utf8)
    let manifest = try String(contentsOfFile: dir.file("reports/2021-Q4/manifest.json"), encoding: .utf8)
    for place in [filed.stderr, ledger.stdout, corrections, manifest] {
      // The numbers' middle digits, as written: not "1234" alone, which a PID or a time in a message may hold.
      #expect(
        !place.contains("1234\u{2009}5678") && !place.contains("8765,4321") && !place.contains("八七六五"), "\(place)")
    }
    #expect(corrections.contains("一三九\\*\\*\\*\\*四三二一"), "\(corrections)")
  }

  // MARK: C7

  /// C7: a dry run and a refused report leave a rollback-journal database
  /// with stale rollups byte for byte as it was (no switch to WAL, no
  /// upkeep); a filed version does the upkeep and switches it, as an import
  /// does; a 0-byte --db is no linkaudit database, left empty.
  @Test func c7_aDryRunOrARefusedReportChangesNoByteOfTheDatabase() throws {
    try seeded()
    do {
      let db = try Database(path: database)
      try db.execute("PRAGMA journal_mode = DELETE")
      // A hand edit marks the rollups stale (a trigger).
      try db.execute("UPDATE link_event SET scene = 'search' WHERE event_id = 'e1'")
      db.close()
    }
    func stale() throws -> Bool {
      let db = try Database(path: database, mode: .readOnly)
      defer { db.close() }
      return try !db.scalar("SELECT value FROM setting WHERE name = 'rollups_stale'").isNull
    }
    #expect(try stale())
    let before = try #require(bytes(database))
    let dry = try report(["--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(bytes(database) == before, "a dry run changed the database's bytes")
    for more in [["--out", "/"], ["--quarter", "2030-Q1"]] {
      let refused = try report(more)
      #expect(refused.status != 0, "\(more)")
      #expect(bytes(database) == before, "a refused report \(more) changed the database's bytes")
    }
    #expect(try journalMode() == "delete")
    #expect(try stale())
    #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
    #expect(dry.stdout.contains("overview.events") || dry.stdout.contains("version 1"), "\(dry.stdout)")
    let filed = try report([])
    #expect(filed.status == 0, "\(filed.stderr)")
    #expect(try journalMode() == "wal")
    #expect(try !stale())
    // The same bytes again record nothing: the store stays as it is, its journal mode too (red-team D10).
    do {
      let db = try Database(path: database)
      try db.execute("PRAGMA journal_mode = DELETE")
      db.close()
    }
    let unchanged = try #require(bytes(database))
    let again = try report([])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(bytes(database) == unchanged, "a re-run that filed nothing changed the database's bytes")
    #expect(try journalMode() == "delete")
    // A 0-byte file: refused as the reading commands refuse it, left empty.
    let empty = dir.file("empty.db")
    #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
    for more in [["--dry-run"], []] {
      let result = try report(more + ["--out", dir.file("e")], database: empty)
      #expect(result.status != 0)
      #expect(result.stderr.contains("\(empty) is not a linkaudit database"), "\(result.stderr)")
      #expect(bytes(empty) == Data())
      #expect(!FileManager.default.fileExists(atPath: empty + "-wal"))
    }
  }

  // MARK: C11

  /// C11: a quarter is four ASCII digits from 1970, `-Q` (or `-q`) and 1-4; the message names what was typed.
  @Test(arguments: ["0021-Q4", "+021-Q4", "２０２１-Q4", "1969-Q4", "2021-Q04", "2021-Q5", " 2021-Q4", "2021-4", "21-Q4"])
  func c11_aQuarterThatIsNotFourDigitsAndAPlausibleYearIsRefused(text: String) {
    #expect(Quarter(text) == nil, "\(text)")
  }

  @Test func c11_quartersAsTyped() throws {
    #expect(Quarter("2021-Q4") == Quarter(year: 2021, number: 4))
    #expect(Quarter("2021-q1") == Quarter(year: 2021, number: 1))
    #expect(Quarter("1970-Q1") == Quarter(year: 1970, number: 1))
    #expect(Quarter("9999-Q4")?.description == "9999-Q4")
    try seeded()
    let before = bytes(database)
    let dry = try run(["report", "--quarter", "0021-Q4", "--dry-run"] + templates)
    #expect(dry.status != 0)
    #expect(
      dry.stderr.contains("quarter \"0021-Q4\" is not YYYY-Qn, four digits from 1970 (for example 2021-Q4)"),
      "\(dry.stderr)")
    let verify = try run(["verify", dir.file("x"), "--quarter", "+021-Q4"])
    #expect(verify.status != 0)
    #expect(verify.stderr.contains("quarter \"+021-Q4\" is not YYYY-Qn"), "\(verify.stderr)")
    #expect(bytes(database) == before)
  }
}
