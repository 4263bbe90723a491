import Foundation
import LinkAuditImport
import LinkAuditQuery
import LinkAuditStore
import Testing

@Suite struct AdHocQueryTests {
  /// A small database: the metric fixture (Chinese text in complaint categories and platform names).
  static func loaded() throws -> TestStore { try MetricCatalogueTests.loaded() }

  /// Runs `sql` into a sink writing to a file; returns the file's text.
  func output(_ store: TestStore, _ sql: String, _ make: (TextOutput) -> RowSink, parameters: [String: String] = [:])
    throws -> String
  {
    let path = store.dir.file("out-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = FileHandle(forWritingAtPath: path)!
    try AdHocQuery(sql: sql, parameters: parameters).run(databaseAt: store.path, into: make(TextOutput(handle)))
    try handle.close()
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  static let sql = """
    SELECT event_id, platform_zh, principle, 1.5 AS ratio, NULL AS absent, '含,逗号 "引号"' AS tricky
    FROM events WHERE event_id IN ('e1', 'e4') ORDER BY event_id
    """

  @Test func csvParsesBackWithACSVReader() throws {
    let store = try Self.loaded()
    let text = try output(store, Self.sql, { CSVSink($0) })
    let path = try store.dir.write("back.csv", text)
    let columns = ["event_id", "platform_zh", "principle", "ratio", "absent", "tricky"]
    let reader = try makeReader(path: path, encoding: .utf8, columns: columns)
    var values = [String?](repeating: nil, count: columns.count)
    var rows: [[String?]] = []
    while try reader.next(into: &values) { rows.append(values) }
    #expect(rows == [["e1", "淘宝", "", "1.5", "", "含,逗号 \"引号\""], ["e4", "抖音", "1", "1.5", "", "含,逗号 \"引号\""]])
  }

  @Test func jsonParsesBackWithTypedNumbers() throws {
    let store = try Self.loaded()
    let text = try output(store, Self.sql, JSONSink.init)
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(rows.count == 2)
    #expect(rows[1]["event_id"] as? String == "e4")
    #expect(rows[1]["platform_zh"] as? String == "抖音")
    #expect(rows[1]["principle"] as? Int == 1)
    #expect(rows[0]["principle"] is NSNull && rows[0]["absent"] is NSNull)
    #expect(rows[0]["ratio"] as? Double == 1.5)
    #expect(rows[0]["tricky"] as? String == "含,逗号 \"引号\"")
    #expect(try output(store, "SELECT 1 WHERE 0", JSONSink.init) == "[]\n")
  }

  @Test func markdownIsATableWithPipesEscaped() throws {
    let store = try Self.loaded()
    let text = try output(store, "SELECT '甲|乙' AS a, 2 AS b", MarkdownSink.init)
    #expect(text == "| a | b |\n|---|---|\n| 甲\\|乙 | 2 |\n")
  }

  @Test func tableAlignsChineseByDisplayWidth() throws {
    let store = try Self.loaded()
    let text = try output(
      store, "SELECT platform_zh AS name, count(*) AS n FROM events GROUP BY platform_zh ORDER BY n DESC, name",
      { TableSink($0) })
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count >= 4)
    let widths = Set(lines.map { TableSink.width($0) })
    #expect(widths.count == 1, "every line as wide as the header: \(lines)")
    #expect(lines.contains { $0.hasPrefix("淘宝") })
  }

  @Test func xlsxKeepsTypesAndExplainsItself() throws {
    let store = try Self.loaded()
    let path = store.dir.file("answer.xlsx")
    let sink = XlsxSink(path: path, sql: Self.sql, parameters: [:], databasePath: store.path)
    try AdHocQuery(sql: Self.sql).run(databaseAt: store.path, into: sink)
    let cells = try XlsxReading.cells(path)
    #expect(cells["Result"]?["A1"] == "event_id")
    #expect(cells["Result"]?["B2"] == "淘宝")
    #expect(cells["Result"]?["C3"] == "1" && cells["Result"]?["C3.type"] == "n")
    #expect(cells["Result"]?["D2"] == "1.5" && cells["Result"]?["D2.type"] == "n")
    #expect(cells["Result"]?["E2"] == nil)
    #expect(cells["Result"]?["F2"] == "含,逗号 \"引号\"")
    #expect(cells["Query"]?["B1"]?.contains("FROM events") == true)
    #expect(cells["Query"]?["A2"] == "Ran at (UTC)")
    #expect(cells["Query"]?["A4"] == "Rows" && cells["Query"]?["B4"] == "2")
  }

  @Test func xlsxContinuesOnANewSheetPastTheRowLimitAndEscapesMarkup() throws {
    let store = try Self.loaded()
    let path = store.dir.file("spill.xlsx")
    let sql = "SELECT event_id, '<b>&' || event_id AS markup FROM events ORDER BY event_id"
    let sink = XlsxSink(path: path, sql: sql, parameters: [:], databasePath: store.path, rowsPerSheet: 5)
    let rows = try AdHocQuery(sql: sql).run(databaseAt: store.path, into: sink)
    #expect(rows == 13)
    let cells = try XlsxReading.cells(path)
    #expect(Set(cells.keys) == ["Result", "Result 2", "Result 3", "Query"])
    #expect(cells["Result"]?["A2"] == "e1" && cells["Result"]?["B2"] == "<b>&e1")
    #expect(cells["Result 2"]?["A1"] == "event_id" && cells["Result 2"]?["A2"] == "e2")
    #expect(cells["Result 3"]?["A4"] == "e9" && cells["Result 3"]?["A5"] == nil)
  }

  @Test(arguments: [
    "DELETE FROM link_event",
    "UPDATE batch SET rows_read = 0",
    "INSERT INTO principle VALUES (5, 'x', 'y')",
    "DROP VIEW events",
    "CREATE TABLE t (x)",
    "CREATE TRIGGER t AFTER INSERT ON batch BEGIN DELETE FROM link_event; END",
    "ATTACH 'other.db' AS other",
    "VACUUM INTO 'copy.db'",
    "PRAGMA query_only = OFF",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = ON",
    "SELECT load_extension('x')",
    "WITH gone AS (SELECT 1) DELETE FROM link_event",
    "SELECT 1; DELETE FROM link_event",
    "BEGIN",
    "REINDEX",
    "ANALYZE",
  ])
  func refusesAnythingButReadingAndChangesNothing(sql: String) throws {
    let store = try Self.loaded()
    let before = try store.bytes()
    let error = try #require(throws: QueryError.self) {
      try AdHocQuery(sql: sql).run(databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
    }
    #expect(error.message.hasPrefix("refused"), "\(sql): \(error.message)")
    #expect(try store.bytes() == before)
    #expect(!FileManager.default.fileExists(atPath: "copy.db"))
  }

  @Test func informationalPragmasAreAllowed() throws {
    let store = try Self.loaded()
    let text = try output(store, "PRAGMA table_info(batches)", { CSVSink($0) })
    #expect(text.contains("sha256"))
  }

  @Test func namedParametersAreBoundTyped() throws {
    let store = try Self.loaded()
    let text = try output(
      store, "SELECT count(*) FROM events WHERE principle = :p AND occurred_at_utc >= :from", { CSVSink($0) },
      parameters: ["p": "1", "from": "2021-10-01"])
    // e4 (fraud) and e6 (pornography) are principle 1 and after 2021-10-01.
    #expect(text == "count(*)\r\n2\r\n")
    #expect(throws: QueryError(message: "the query uses :p: pass --param p=VALUE")) {
      try AdHocQuery(sql: "SELECT :p").run(databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
    }
    #expect(throws: QueryError(message: "--param q is not used by the query")) {
      try AdHocQuery(sql: "SELECT 1", parameters: ["q": "1"]).run(
        databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
    }
  }

  @Test func aRunawayQueryIsStoppedAtItsTimeLimit() throws {
    let store = try Self.loaded()
    let began = Date()
    let error = try #require(throws: QueryError.self) {
      try AdHocQuery(
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", timeout: 0.3
      ).run(databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
    }
    #expect(error.message.hasPrefix("stopped after"))
    // The query never ends by itself: any bound tells stopped from hung. 60 s, not 10: with the whole
    // suite running on 2 cores the timer's queue once waited 16 s for a thread.
    #expect(Date().timeIntervalSince(began) < 60)
  }

  /// Issue 12, finding 10: the timer may fire as a query ends; it must never
  /// interrupt a connection that has been closed (many short runs with a
  /// limit about as long as the query).
  @Test func aTimeLimitEndingWithTheQueryNeverTouchesAClosedConnection() throws {
    let store = try Self.loaded()
    for i in 0..<200 {
      do {
        try AdHocQuery(sql: "SELECT count(*) FROM events", timeout: 0.0001 * Double(i % 7 + 1)).run(
          databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
      } catch let error as QueryError {
        #expect(error.message.hasPrefix("stopped after"))
      }
    }
    for bad in [Double.nan, .infinity, 0, -1, 90_000] {
      #expect(throws: QueryError.self) {
        try AdHocQuery(sql: "SELECT 1", timeout: bad).run(
          databaseAt: store.path, into: CSVSink(TextOutput(FileHandle.nullDevice)))
      }
    }
  }

  @Test func everyQueryViewColumnHasAMeaning() throws {
    let store = try Self.loaded()
    let db = try store.open(.readOnly)
    for view in SchemaGuide.views {
      let documented = Set(view.columns.map(\.0))
      let actual = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(view.name)]).compactMap { $0[0].text }
      #expect(!actual.isEmpty, "\(view.name) missing")
      #expect(Set(actual) == documented, "\(view.name)")
    }
  }
}

/// Reads an xlsx's cells with Python's standard library: an independent reader.
enum XlsxReading {
  /// Every text of each file of a package folder, by file name: a workbook's
  /// cells, any other file whole (for "no number anywhere in the package").
  static func texts(ofPackage folder: String) throws -> [(name: String, texts: [String])] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
      let path = folder + "/" + name
      return (
        name,
        name.hasSuffix(".xlsx")
          ? try cells(path).values.flatMap(\.values) : [try String(contentsOfFile: path, encoding: .utf8)]
      )
    }
  }

  /// How each sheet prints: sheet name → "orientation", "paperSize", "scale",
  /// "fitToPage" ("1" when fitted to one page wide), "width" (the columns'
  /// widths added up, in characters), "col.N" (column N's width, from 1),
  /// "row.N" (row N's height in points, where set, from 1) and "titles" (the
  /// print titles, `'Sheet'!$5:$5`, with `$A:$A` when a column repeats) and
  /// "merges" (the merged ranges, `A2:H2,A3:H3`), "breaks" (the manual page
  /// breaks: the rows, from 1, after which a page ends), "defaultRowHeight",
  /// "margin.top" and the other margins (inches), "lastRow" (from 1) and
  /// "charts" (each chart's first and last row, from 1: `29-43`).
  static func printLayout(_ path: String) throws -> [String: [String: String]] {
    try python(
      """
      import json, sys, zipfile, xml.etree.ElementTree as ET
      ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
            'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
      z = zipfile.ZipFile(sys.argv[1])
      book = ET.fromstring(z.read('xl/workbook.xml'))
      rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
      targets = {r.get('Id'): r.get('Target') for r in rels}
      names = book.find('m:definedNames', ns)
      titles = {}
      for d in (names if names is not None else []):
          if d.get('name') == '_xlnm.Print_Titles':
              titles[int(d.get('localSheetId'))] = d.text
      out = {}
      for i, s in enumerate(book.find('m:sheets', ns)):
          sheet = ET.fromstring(z.read('xl/' + targets[s.get('{%s}id' % ns['r'])].lstrip('/').replace('xl/', '')))
          layout = dict(sheet.find('m:pageSetup', ns).attrib)
          fit = sheet.find('m:sheetPr/m:pageSetUpPr', ns)
          layout['fitToPage'] = fit.get('fitToPage', '0') if fit is not None else '0'
          cols = sheet.find('m:cols', ns)
          layout['width'] = str(round(sum(float(c.get('width')) * (int(c.get('max')) - int(c.get('min')) + 1)
                                          for c in (cols if cols is not None else []))))
          for c in (cols if cols is not None else []):
              for n in range(int(c.get('min')), int(c.get('max')) + 1):
                  layout['col.%d' % n] = c.get('width')
          for r in sheet.iter('{%s}row' % ns['m']):
              if r.get('ht'):
                  layout['row.' + r.get('r')] = r.get('ht')
          if i in titles:
              layout['titles'] = titles[i]
          merges = sheet.find('m:mergeCells', ns)
          layout['merges'] = ','.join(m.get('ref') for m in (merges if merges is not None else []))
          breaks = sheet.find('m:rowBreaks', ns)
          layout['breaks'] = ','.join(b.get('id') for b in (breaks if breaks is not None else []))
          layout['defaultRowHeight'] = sheet.find('m:sheetFormatPr', ns).get('defaultRowHeight', '15')
          for k, v in sheet.find('m:pageMargins', ns).attrib.items():
              layout['margin.' + k] = v
          layout['lastRow'] = str(max([int(r.get('r')) for r in sheet.iter('{%s}row' % ns['m'])] or [0]))
          # Each chart's rows, first and last (from 1), from its drawing's anchor.
          charts = []
          sheetPart = 'xl/' + targets[s.get('{%s}id' % ns['r'])].lstrip('/').replace('xl/', '')
          relsPart = sheetPart.replace('worksheets/', 'worksheets/_rels/') + '.rels'
          if relsPart in z.namelist():
              for rel in ET.fromstring(z.read(relsPart)):
                  if rel.get('Type').endswith('/drawing'):
                      drawing = ET.fromstring(z.read('xl/drawings/' + rel.get('Target').split('/')[-1]))
                      x = '{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}'
                      for anchor in drawing.iter(x + 'twoCellAnchor'):
                          first = int(anchor.find(x + 'from').find(x + 'row').text) + 1
                          last = int(anchor.find(x + 'to').find(x + 'row').text) + 1
                          charts.append('%d-%d' % (first, last))
          layout['charts'] = ','.join(charts)
          out[s.get('name')] = layout
      print(json.dumps(out))
      """, path)
  }

  /// The sheets' names in the workbook's order.
  static func sheetNames(_ path: String) throws -> [String] {
    let order =
      try python(
        """
        import json, sys, zipfile, xml.etree.ElementTree as ET
        ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
        book = ET.fromstring(zipfile.ZipFile(sys.argv[1]).read('xl/workbook.xml'))
        print(json.dumps({'order': {str(i): s.get('name') for i, s in enumerate(book.find('m:sheets', ns))}}))
        """, path)["order"] ?? [:]
    return (0..<order.count).compactMap { order[String($0)] }
  }

  /// The fonts a workbook declares: "cells" → index → font name (from
  /// styles.xml), "charts" → chart file → its fonts' typefaces, comma-separated.
  static func fonts(_ path: String) throws -> [String: [String: String]] {
    try python(
      """
      import json, sys, zipfile, re, xml.etree.ElementTree as ET
      ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
      z = zipfile.ZipFile(sys.argv[1])
      styles = ET.fromstring(z.read('xl/styles.xml'))
      cells = {str(i): f.find('m:name', ns).get('val') for i, f in enumerate(styles.find('m:fonts', ns))}
      charts = {}
      for name in z.namelist():
          if name.startswith('xl/charts/chart'):
              faces = re.findall(r'<a:latin typeface="([^"]*)"', z.read(name).decode())
              charts[name] = ','.join(sorted(set(faces)))
      print(json.dumps({'cells': cells, 'charts': charts}))
      """, path)
  }

  /// The texts each sheet's charts print (titles, axis titles): sheet name → its texts.
  static func chartTexts(_ path: String) throws -> [String: [String]] {
    try python(
      """
      import json, sys, zipfile, posixpath, xml.etree.ElementTree as ET
      ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
            'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
      z = zipfile.ZipFile(sys.argv[1])
      def targets(part):
          rels = posixpath.join(posixpath.dirname(part), '_rels', posixpath.basename(part) + '.rels')
          if rels not in z.namelist():
              return []
          return [posixpath.normpath(posixpath.join(posixpath.dirname(part), r.get('Target')))
                  for r in ET.fromstring(z.read(rels))]
      book = ET.fromstring(z.read('xl/workbook.xml'))
      sheets = {r.get('Id'): 'xl/' + r.get('Target').lstrip('/').replace('xl/', '')
                for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))}
      out = {}
      for s in book.find('m:sheets', ns):
          texts = []
          for drawing in targets(sheets[s.get('{%s}id' % ns['r'])]):
              for chart in targets(drawing):
                  if 'charts/chart' in chart:
                      root = ET.fromstring(z.read(chart))
                      texts += [t.text for t in root.iter('{http://schemas.openxmlformats.org/drawingml/2006/main}t') if t.text]
          out[s.get('name')] = {str(i): t for i, t in enumerate(texts)}
      print(json.dumps(out))
      """, path
    ).mapValues { texts in (0..<texts.count).compactMap { texts[String($0)] } }
  }

  private static func python(_ script: String, _ path: String) throws -> [String: [String: String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONDecoder().decode([String: [String: String]].self, from: data)
  }

  /// sheet name → cell ref → value (and "REF.type" → the cell's t attribute, "n" for numbers).
  static func cells(_ path: String) throws -> [String: [String: String]] {
    let script = """
      import json, sys, zipfile, xml.etree.ElementTree as ET
      ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
            'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
      z = zipfile.ZipFile(sys.argv[1])
      shared = []
      if 'xl/sharedStrings.xml' in z.namelist():
          for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
              shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
      book = ET.fromstring(z.read('xl/workbook.xml'))
      rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
      targets = {r.get('Id'): r.get('Target') for r in rels}
      out = {}
      for s in book.find('m:sheets', ns):
          target = targets[s.get('{%s}id' % ns['r'])]
          sheet = ET.fromstring(z.read('xl/' + target.lstrip('/').replace('xl/', '')))
          cells = {}
          for c in sheet.iter('{%s}c' % ns['m']):
              t = c.get('t') or 'n'
              if t == 's':
                  value = shared[int(c.find('m:v', ns).text)]
              elif t == 'inlineStr':
                  value = ''.join(x.text or '' for x in c.iter('{%s}t' % ns['m']))
              else:
                  v = c.find('m:v', ns)
                  if v is None:
                      continue
                  value = v.text
              cells[c.get('r')] = value
              cells[c.get('r') + '.type'] = 'n' if t == 'n' else 's'
          out[s.get('name')] = cells
      print(json.dumps(out))
      """
    return try python(script, path)
  }

}
