"""linkaudit's warehouse job: counts a quarter of raw link logs where they live.

Spark reduces, linkaudit enriches. This job validates, filters, groups and
counts raw fields, and joins on the reference tables `linkaudit export
reference` writes (each stretch of the quarter with its local day and policy
version, the zone's offsets, the vocabulary, the decisions, and the URL
authorities normalised by linkaudit). It never normalises a URL, parses a host
or decides a policy itself: those rules have one definition, linkaudit's.

Two steps (see README.md beside this file):

  authorities  every URL authority (scheme and the text between :// and the
               path) of the logs, with where each was first seen: linkaudit
               normalises them into the reference's authorities.csv.
  rollups      the quarter's rollup bundle: counts of identical facts, the
               exact number of distinct users, the events the case lists and
               decisions need, the histories of the URLs restricted in the
               quarter, and manifest.json with every file's SHA-256 and rows.

Raw user ids never leave the job: only their count does.
"""

import argparse
import csv
import hashlib
import json
import os
import sys
import time

JOB_VERSION = "3"
BUNDLE_FORMAT = "linkaudit-rollups/1"
COLUMNS = ["event_id", "occurred_at", "scene", "user_id", "url", "action", "reason", "detected_by",
           "client_version"]
REQUIRED = ["event_id", "occurred_at", "scene", "user_id", "url", "action"]

# Control characters and noncharacters, which no text value may hold (the
# contract's text rule), as a Java regular expression.
FORBIDDEN = "[\\x{0}-\\x{1F}\\x{7F}-\\x{9F}\\x{FDD0}-\\x{FDEF}" + "".join(
    "\\x{%X}\\x{%X}" % (p * 0x10000 + 0xFFFE, p * 0x10000 + 0xFFFF) for p in range(17)) + "]"


class JobError(Exception):
    pass


def spark_session(name):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.appName(name)
             .config("spark.sql.ansi.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def log_files(spark, location):
    """The files under `location` (a file, a folder or a glob), sorted by name:
    the order an import of the same files in one inbox would take."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(location)
    fs = path.getFileSystem(conf)
    statuses = fs.globStatus(path) or []
    files = []
    for status in statuses:
        if status.isDirectory():
            it = fs.listFiles(status.getPath(), True)
            while it.hasNext():
                files.append(it.next().getPath().toString())
        else:
            files.append(status.getPath().toString())
    wanted = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
    files = [f for f in files if f.lower().removesuffix(".gz").endswith(wanted)]
    if not files:
        raise JobError(f"{location}: no link logs (.csv, .tsv, .jsonl, .ndjson, .parquet, optionally .gz)")
    return sorted(files)


def read_file(spark, path):
    """One log file as rows of strings, each with its file name and row (the
    line in a text file, counting the header as line 1, as linkaudit does;
    the row's position, from 1, in a Parquet file)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType
    name = os.path.basename(path)
    lower = path.lower().removesuffix(".gz")
    schema = StructType([StructField(c, StringType()) for c in COLUMNS])
    if lower.endswith(".parquet"):
        df = spark.read.parquet(path)
        missing = [c for c in REQUIRED if c not in df.columns]
        if missing:
            raise JobError(f"{name}: lacks required column(s): {', '.join(missing)}")
        # The row's position in the file (Parquet's hidden row index, from 0).
        return df.select([F.col(c).cast("string").alias(c) if c in df.columns else F.lit(None).cast("string").alias(c)
                          for c in COLUMNS] + [(F.col("_metadata.row_index") + 1).alias("_row")]) \
            .withColumn("_file", F.lit(name))
    # Each line with its number, all in the JVM: a partition's lines are
    # numbered from the lines of the partitions before it.
    raw = spark.read.text(path).withColumn("_id", F.monotonically_increasing_id()) \
        .withColumn("_pid", F.spark_partition_id())
    sizes = dict(raw.groupBy("_pid").count().collect())
    offsets, total = [], 0
    for pid in sorted(sizes):
        offsets.append((pid, total))
        total += sizes[pid]
    if not total:
        raise JobError(f"{name}: empty file")
    starts = spark.createDataFrame(offsets, "_pid int, _offset long")
    lines = raw.join(F.broadcast(starts), "_pid").select(
        F.col("value").alias("line"),
        (F.col("_offset") + F.col("_id") - F.shiftleft(F.col("_pid").cast("long"), 33) + 1).alias("_row"))
    header_line = [lines.filter("_row = 1").first()["line"]]
    text = lines.filter((F.col("_row") > 1) & (F.trim(F.col("line")) != ""))
    if lower.endswith((".jsonl", ".ndjson")):
        # The first line is a record too.
        text = lines.filter(F.trim(F.col("line")) != "")
        parsed = text.select(F.from_json("line", schema, {"mode": "PERMISSIVE"}).alias("r"), "_row", "line")
        bad = parsed.filter(F.col("r").isNull()).select("_row").limit(1).collect()
        if bad:
            raise JobError(f"{name} line {bad[0][0]}: not a JSON object")
        return parsed.select("r.*", "_row").withColumn("_file", F.lit(name))
    sep = "\t" if lower.endswith(".tsv") else ","
    header = next(csv.reader([header_line[0].lstrip("\ufeff")], delimiter=sep))
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise JobError(f"{name} line 1: header lacks required column(s): {', '.join(missing)}")
    # A quoted field that spans lines cannot be read a line at a time.
    spanning = text.filter(F.expr("(length(line) - length(replace(line, '\"', ''))) % 2 = 1")) \
        .select("_row").limit(1).collect()
    if spanning:
        raise JobError(f"{name} line {spanning[0][0]}: a quoted field spans lines, which this job does not "
                       "read: export the log as Parquet or JSON Lines")
    in_file = StructType([StructField(f"c{i}", StringType()) for i in range(len(header))])
    parsed = text.select(F.from_csv("line", in_file.simpleString(), {"sep": sep}).alias("r"), "_row")
    cols = []
    for c in COLUMNS:
        cols.append(F.col(f"r.c{header.index(c)}").alias(c) if c in header else F.lit(None).cast("string").alias(c))
    return parsed.select(*cols, "_row").withColumn("_file", F.lit(name))


def read_logs(spark, location):
    frames = [read_file(spark, f) for f in log_files(spark, location)]
    df = frames[0]
    for f in frames[1:]:
        df = df.unionByName(f)
    return df


def read_reference(spark, folder):
    """The reference's tables, each checked against its manifest."""
    with open(os.path.join(folder, "manifest.json"), "rb") as f:
        manifest = json.loads(f.read())
    if manifest.get("format") != "linkaudit-reference/1":
        raise JobError(f"{folder}: not a linkaudit reference (format {manifest.get('format')!r})")
    tables = {}
    for name, entry in manifest["files"].items():
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise JobError(f"{path}: its SHA-256 is not the one manifest.json records")
        rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
        if len(rows) != entry["rows"]:
            raise JobError(f"{path}: {len(rows)} rows, manifest.json records {entry['rows']}")
        tables[name] = rows
    return manifest, tables


def validated(spark, logs, manifest, vocabulary, offsets):
    """Every row with its checks (`offsets`: the reference's offsets.csv): `_error` names the first rule it breaks, in
    the order linkaudit's import checks them, or is null; the row's instant
    (`_at`, UTC milliseconds) and its URL split lexically where the import's
    parser splits it: scheme, authority, and path and query (`_rest`,
    backslashes of the path made slashes, the fragment dropped)."""
    from pyspark.sql import functions as F
    codes = {}
    principles = {}
    for row in vocabulary:
        codes.setdefault(row["field"], []).append(row["code"])
        if row["principle"]:
            principles[row["code"]] = int(row["principle"])
    df = logs

    def blank(c):
        return F.col(c).isNull() | F.col(c).rlike("^[ \\t]*$")

    def trimmed(c):
        return F.regexp_replace(F.col(c), "^[ \\t]+|[ \\t]+$", "")

    def text_rule(c, max_len, personal=False):
        shown = F.lit("") if personal else F.concat(F.lit(" value "), F.col(c))
        return (F.when(F.col(c).rlike(FORBIDDEN),
                       F.concat(F.lit(c), shown, F.lit(": expected text without control characters or noncharacters")))
                .when(F.length(c) > max_len,
                      F.concat(F.lit(c), shown, F.lit(f": expected at most {max_len} characters"))))

    def required(c):
        return F.when(blank(c), F.lit(f"{c}: a value is required"))

    def enum(c, field):
        allowed = codes[field]
        return F.when(~trimmed(c).isin(allowed),
                      F.concat(F.lit(c), F.lit(" value "), F.col(c), F.lit(": expected one of " + ", ".join(allowed))))

    # The timestamp, as linkaudit's parser reads it (spaces trimmed).
    t = F.regexp_replace(F.col("occurred_at"), "^ +| +$", "")
    iso = "^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.([0-9]+))?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$"
    df = df.withColumn("_t", t)
    g = lambda i: F.regexp_extract("_t", iso, i)
    y, mo, d, h, mi, s = (g(i).cast("int") for i in range(1, 7))
    frac = F.rpad(F.substring(g(8), 1, 3), 3, "0").cast("long")
    zone = g(9)
    date = F.make_date(y, mo, d)
    local = ((F.datediff(date, F.lit("1970-01-01").cast("date")).cast("long") * 86400 + h * 3600 + mi * 60 + s) * 1000
             + F.when(g(7) == "", F.lit(0)).otherwise(frac))
    sign = F.when(F.substring(zone, 1, 1) == "-", F.lit(-1)).otherwise(F.lit(1))
    oh = F.substring(zone, 2, 2).cast("long")
    om = F.when(F.length(F.regexp_replace(zone, ":", "")) == 5,
                F.substring(F.regexp_replace(zone, ":", ""), 4, 2).cast("long")).otherwise(F.lit(0))
    valid = F.col("_t").rlike(iso) & date.isNotNull() & (h < 24) & (mi < 60) & (s < 60)
    df = df.withColumn("_local", F.when(valid, local)).withColumn("_zone", zone)
    if len(offsets) == 1:
        o = offsets[0]
        df = df.withColumn("_offset", F.when((F.col("_local") >= int(o["local_from_ms"]))
                                             & (F.col("_local") < int(o["local_until_ms"])),
                                             F.lit(int(o["offset_seconds"]))))
    else:
        table = spark.createDataFrame(
            [(int(r["local_from_ms"]), int(r["local_until_ms"]), int(r["offset_seconds"])) for r in offsets],
            "local_from_ms long, local_until_ms long, _offset long")
        df = df.join(F.broadcast(table), (df["_local"] >= table["local_from_ms"])
                     & (df["_local"] < table["local_until_ms"]), "left").drop("local_from_ms", "local_until_ms")
    at = (F.when(F.col("_t").rlike("^[0-9]{10}$"), F.col("_t").cast("long") * 1000)
          .when(F.col("_t").rlike("^[0-9]{13}$"), F.col("_t").cast("long"))
          .when(F.col("_zone") == "", F.col("_local") - F.col("_offset") * 1000)
          .when(F.col("_zone").isin("Z", "z"), F.col("_local"))
          .when((oh < 24) & (om < 60), F.col("_local") - sign * (oh * 60 + om) * 60000))
    df = df.withColumn("_at", at)

    # The URL, split where linkaudit's parser splits it (after trimming spaces
    # and tabs): scheme, then any run of / or \ (https:jd.com and https:///jd.com
    # open jd.com, as in a browser), authority, path (backslashes read as
    # slashes) and query.
    u = trimmed("url")
    split = "^([^:]*):[/\\\\]*([^/?#\\\\]*)([^?#]*)(\\?[^#]*)?"
    df = df.withColumn("_scheme", F.regexp_extract(u, split, 1)) \
        .withColumn("_authority", F.regexp_extract(u, split, 2)) \
        .withColumn("_rest", F.concat(F.regexp_replace(F.regexp_extract(u, split, 3), "\\\\", "/"),
                                      F.regexp_extract(u, split, 4)))

    reason = trimmed("reason")
    checks = [
        required("event_id"), text_rule("event_id", 128),
        required("occurred_at"),
        F.when(F.col("_at").isNull(), F.concat(F.lit("occurred_at value "), F.col("occurred_at"),
                                               F.lit(": expected an ISO 8601 timestamp, YYYY-MM-DD HH:MM:SS, or epoch seconds / milliseconds"))),
        F.when((F.col("_at") < manifest["earliest_ms"]) | (F.col("_at") > manifest["latest_ms"]),
               F.concat(F.lit("occurred_at value "), F.col("occurred_at"), F.lit(": expected a plausible time"))),
        required("scene"), enum("scene", "scene"),
        required("user_id"), text_rule("user_id", 256, personal=True),
        required("url"), text_rule("url", 4096),
        F.when(~u.rlike(split), F.concat(F.lit("url value "), F.col("url"), F.lit(": expected an absolute http or https URL"))),
        F.when(~F.lower(F.col("_scheme")).isin("http", "https"),
               F.concat(F.lit("url value "), F.col("url"), F.lit(": expected an http or https URL"))),
        required("action"), enum("action", "action"),
        F.when(blank("reason") & (trimmed("action") != "open"),
               F.concat(F.lit("reason: a reason is required when action is "), trimmed("action"))),
        F.when(~blank("reason") & ~reason.isin(codes["reason"]),
               F.concat(F.lit("reason value "), F.col("reason"), F.lit(": expected a category, or scene_rule"))),
        F.when(~blank("detected_by") & ~trimmed("detected_by").isin(codes["detected_by"]),
               F.concat(F.lit("detected_by value "), F.col("detected_by"),
                        F.lit(": expected one of " + ", ".join(codes["detected_by"])))),
        text_rule("client_version", 64),
    ]
    df = df.withColumn("_error", F.coalesce(*checks))
    principle = F.create_map(*[x for code, p in principles.items() for x in (F.lit(code), F.lit(p))])
    df = df.withColumn("_scene", trimmed("scene")).withColumn("_action", trimmed("action")) \
        .withColumn("_reason", F.when(blank("reason"), F.lit(None)).otherwise(reason)) \
        .withColumn("_detected_by", F.when(blank("detected_by"), F.lit("automated")).otherwise(trimmed("detected_by"))) \
        .withColumn("_principle", principle[F.col("_reason")]) \
        .withColumn("_client_version", F.when(blank("client_version"), F.lit(None)).otherwise(F.col("client_version")))
    return df


def first_error(df):
    from pyspark.sql import functions as F
    bad = df.filter(F.col("_error").isNotNull()).orderBy("_file", "_row").select("_file", "_row", "_error") \
        .limit(1).collect()
    return bad[0] if bad else None


def write_csv(path, header, rows):
    """A small CSV (RFC 4180, LF), its rows in the order given; returns (rows, sha256)."""
    h = hashlib.sha256()
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
            n += 1
    with open(path, "rb") as f:
        h.update(f.read())
    return n, h.hexdigest()


def step_authorities(args):
    spark = spark_session("linkaudit authorities")
    from pyspark.sql import functions as F
    logs = read_logs(spark, args.logs)
    u = F.regexp_replace(F.col("url"), "^[ \\t]+|[ \\t]+$", "")
    split = "^([^:]*):[/\\\\]*([^/?#\\\\]*)([^#]*)"
    rows = (logs.filter(u.rlike(split))
            .select(F.regexp_extract(u, split, 1).alias("scheme"), F.regexp_extract(u, split, 2).alias("authority"),
                    "_file", "_row")
            .groupBy("scheme", "authority").agg(F.min(F.struct("_file", "_row")).alias("first"))
            .select("scheme", "authority", "first._file", "first._row")
            .orderBy("scheme", "authority"))
    n, sha = write_csv(args.out, ["scheme", "authority", "file", "row"], rows.toLocalIterator())
    print(f"{args.out}\t{n} authorities")


def step_rollups(args):
    spark = spark_session("linkaudit rollups")
    from pyspark.sql import functions as F
    # When the run began: of two bundles of a quarter, linkaudit takes the one made later as the newer.
    made_at_ms = int(time.time() * 1000)
    references = [(folder,) + read_reference(spark, folder) for folder in args.reference]
    for folder, manifest, tables in references:
        if "under_restricted.csv" not in tables:
            raise JobError(f"{folder}: no under_restricted.csv: export the reference with this linkaudit")
        if "authorities.csv" not in tables:
            raise JobError(f"{folder}: no authorities.csv: run the authorities step and "
                           "linkaudit export reference --authorities first")
    # The logs are read and checked once for every quarter asked: the tables
    # they are checked against must be the same in every reference.
    shared = ["offsets.csv", "vocabulary.csv", "authorities.csv"]
    first_folder, first, first_tables = references[0]
    for folder, manifest, _ in references[1:]:
        for name in shared:
            if manifest["files"][name]["sha256"] != first["files"][name]["sha256"]:
                raise JobError(f"{folder}: its {name} differs from {first_folder}'s: export every reference "
                               "from one database with the same authorities")
        for key in ("earliest_ms", "latest_ms", "timestamp_time_zone", "rollup_time_zone"):
            if manifest[key] != first[key]:
                raise JobError(f"{folder}: its {key} differs from {first_folder}'s")
    logs = read_logs(spark, args.logs)
    # Parsed and checked once, and held with only the columns the rest needs
    # (the raw ones too when bad rows are set aside).
    keep = ["event_id", "_at", "_scene", "url", "_action", "_reason", "_principle", "_detected_by",
            "_client_version", "user_id", "_scheme", "_authority", "_rest", "_file", "_row", "_error"]
    if args.rejects:
        keep += [c for c in COLUMNS if c not in keep]
    df = validated(spark, logs, first, first_tables["vocabulary.csv"], first_tables["offsets.csv"]) \
        .select(*keep).cache()
    rejected = 0
    if args.rejects:
        bad = df.filter(F.col("_error").isNotNull()).orderBy("_file", "_row")
        rejected = write_csv(args.rejects, COLUMNS + ["file", "line", "error"],
                             bad.select(*COLUMNS, "_file", "_row", "_error").toLocalIterator())[0]
    else:
        bad = first_error(df)
        if bad:
            raise JobError(f"{bad['_file']} line {bad['_row']}: {bad['_error']}")
    good = df.filter(F.col("_error").isNull()).select(
        "event_id", "_at", "_scene", "url", "_action", "_reason", "_principle", "_detected_by", "_client_version",
        "user_id", "_scheme", "_authority", "_rest", "_file", "_row")
    # A repeated event id is one event: the first, in file and row order, as
    # an import keeps it. Only the ids are shuffled to find the repeats (few).
    repeats = good.groupBy("event_id").agg(F.count(F.lit(1)).alias("n"), F.min(F.struct("_file", "_row")).alias("k")) \
        .filter("n > 1").select("event_id", "n", F.col("k._file").alias("_kf"), F.col("k._row").alias("_kr")).cache()
    # The rows dropped as repeats, which the import records as its duplicates.
    duplicates = repeats.agg(F.sum(F.col("n") - 1).alias("d")).collect()[0]["d"] or 0
    repeats = repeats.drop("n")
    good = good.join(F.broadcast(repeats), "event_id", "left") \
        .filter(F.col("_kf").isNull() | ((F.col("_file") == F.col("_kf")) & (F.col("_row") == F.col("_kr")))) \
        .drop("_kf", "_kr")
    auth = spark.createDataFrame(
        [(r["scheme"], r["authority"], r["url_prefix"], r["domain"]) for r in first_tables["authorities.csv"]],
        "scheme string, authority string, url_prefix string, domain string")
    good = good.join(F.broadcast(auth), (good["_scheme"] == auth["scheme"]) & (good["_authority"] == auth["authority"]),
                     "left").drop("scheme", "authority")
    good = good.withColumn("url_key", F.concat("url_prefix", "_rest")).drop("_rest").cache()
    unknown = good.filter(F.col("url_prefix").isNull()).orderBy("_file", "_row").select("_file", "_row", "url") \
        .limit(1).collect()
    if unknown:
        u = unknown[0]
        raise JobError(f"{u['_file']} line {u['_row']}: url {u['url']}: its authority is not in the reference's "
                       "authorities.csv: run the authorities step over these logs and export the reference again")
    df.unpersist()
    logs_read = [os.path.basename(f) for f in log_files(spark, args.logs)]
    for folder, manifest, tables in references:
        out = args.out if len(references) == 1 else os.path.join(args.out, manifest["quarter"])
        write_bundle(spark, good, folder, manifest, tables, out, rejected, duplicates, logs_read, made_at_ms)


def write_bundle(spark, good, reference, manifest, tables, out, rejected, duplicates, logs_read, made_at_ms):
    """One quarter's bundle from the checked events of every log."""
    from pyspark.sql import functions as F
    start, end = manifest["quarter_start_ms"], manifest["quarter_end_ms"]
    quarter = good.filter((F.col("_at") >= start) & (F.col("_at") < end))
    os.makedirs(out, exist_ok=True)
    files = {}
    # Counts of identical facts: month, policy version, authority and codes;
    # and the events of each day.
    seg = spark.createDataFrame(
        [(int(r["from_ms"]), int(r["until_ms"]), int(r["day_start_ms"]), int(r["month_start_ms"]),
          r["policy_version"] or None) for r in tables["segments.csv"]],
        "from_ms long, until_ms long, day_start_ms long, month_start_ms long, policy_version string")
    counted = quarter.join(F.broadcast(seg), (quarter["_at"] >= seg["from_ms"]) & (quarter["_at"] < seg["until_ms"]))
    key = ["month_start_ms", "policy_version", "_scheme", "_authority", "_scene", "_action", "_reason", "_detected_by"]
    counts = counted.groupBy(*key).agg(F.count(F.lit(1)).alias("events")).orderBy(*key)
    files["counts.csv"] = write_csv(
        os.path.join(out, "counts.csv"),
        ["month_start_ms", "policy_version", "scheme", "authority", "scene", "action", "reason", "detected_by",
         "events"],
        counts.toLocalIterator())
    days = counted.groupBy("day_start_ms").agg(F.count(F.lit(1)).alias("events")).orderBy("day_start_ms")
    files["days.csv"] = write_csv(os.path.join(out, "days.csv"), ["day_start_ms", "events"], days.toLocalIterator())
    # The quarter's distinct users: the one figure of them that leaves the warehouse.
    # With the first and last instants, which the import's ledger records.
    users = quarter.agg(F.countDistinct("user_id").alias("users"), F.count(F.lit(1)).alias("events"),
                        F.min("_at").alias("first"), F.max("_at").alias("last")).collect()[0]
    files["users.csv"] = write_csv(os.path.join(out, "users.csv"),
                                   ["quarter", "users", "events", "first_ms", "last_ms"],
                                   [(manifest["quarter"], users["users"], users["events"], users["first"],
                                     users["last"])])
    event_columns = ["event_id", "_at", "_scene", "url", "_action", "_reason", "_detected_by", "_client_version",
                     "url_key", "_file", "_row"]
    event_header = ["event_id", "occurred_at_ms", "scene", "url", "action", "reason", "detected_by",
                    "client_version", "url_key", "file", "line"]
    # The quarter's events the case lists and the decisions need: every tap
    # on a decision's URL (block_url, warn_url) or domain (block_domain),
    # blocked ones too (job version 3: the decisions' taps count their blocks;
    # linkaudit applies the decisions' windows), and every under-restricted
    # one, by a category's rule or the scene's (their policy's treatment
    # stricter than their action, by linkaudit's table), each of which the
    # report lists.
    dec = tables["decisions.csv"]
    urls = [r["target"] for r in dec if r["scope"] in ("block_url", "warn_url")]
    domains = [r["target"] for r in dec if r["scope"] == "block_domain"]
    under = spark.createDataFrame(
        [(r["policy_version"], r["scene"], r["reason"], r["action"], True) for r in tables["under_restricted.csv"]],
        "u_version string, u_scene string, u_reason string, u_action string, _under boolean")
    flagged = counted.join(F.broadcast(under), (counted["policy_version"] == under["u_version"])
                           & (counted["_scene"] == under["u_scene"])
                           & (F.coalesce(counted["_reason"], F.lit("")) == under["u_reason"])
                           & (counted["_action"] == under["u_action"]), "left")
    cases = flagged.filter(
        F.col("url_key").isin(urls) | F.col("domain").isin(domains)
        | F.col("_under").isNotNull())
    files["cases.csv"] = write_csv(os.path.join(out, "cases.csv"), event_header,
                                   cases.orderBy("_at", "event_id").select(*event_columns).toLocalIterator())
    # The histories of the URLs restricted in the quarter: their every event
    # before the quarter's end, from which linkaudit finds each one's first
    # event, first restriction and the opens before it.
    restricted = quarter.filter((F.col("_action") != "open") & F.col("_principle").isNotNull()) \
        .select("url_key").distinct()
    history = good.filter(F.col("_at") < end).join(restricted, "url_key", "left_semi")
    files["histories.csv"] = write_csv(os.path.join(out, "histories.csv"), event_header,
                                       history.orderBy("url_key", "_at", "event_id").select(*event_columns)
                                       .toLocalIterator())
    with open(os.path.join(reference, "manifest.json"), "rb") as f:
        reference_sha = hashlib.sha256(f.read()).hexdigest()
    bundle = {
        "format": BUNDLE_FORMAT,
        "job_version": JOB_VERSION,
        "quarter": manifest["quarter"],
        "reference_manifest_sha256": reference_sha,
        "decisions_fingerprint": manifest["decisions_fingerprint"],
        "segments_sha256": manifest["files"]["segments.csv"]["sha256"],
        "rollup_time_zone": manifest["rollup_time_zone"],
        "events": users["events"],
        "rows_rejected": rejected,
        "rows_duplicate": duplicates,
        "made_at_ms": made_at_ms,
        "logs": logs_read,
        "files": {name: {"rows": n, "sha256": sha} for name, (n, sha) in sorted(files.items())},
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{out}\t{manifest['quarter']}\t" + ", ".join(f"{name} {n} rows" for name, (n, _) in sorted(files.items())))


def main(argv=None):
    p = argparse.ArgumentParser(prog="linkaudit_rollups.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="step", required=True)
    a = sub.add_parser("authorities", help="list the URL authorities of the logs")
    a.add_argument("--logs", required=True, help="a file, folder or glob of link logs (any Hadoop URI)")
    a.add_argument("--out", required=True, help="authorities.csv to write")
    r = sub.add_parser("rollups", help="write the quarter's rollup bundle")
    r.add_argument("--logs", required=True, help="a file, folder or glob of link logs (any Hadoop URI)")
    r.add_argument("--reference", required=True, action="append",
                   help="the folder linkaudit export reference wrote; repeat it for several quarters in one run")
    r.add_argument("--out", required=True,
                   help="the bundle's folder (created); with several references, the folder of one bundle a quarter")
    r.add_argument("--rejects", help="write bad rows here with their error instead of failing")
    args = p.parse_args(argv)
    try:
        step_authorities(args) if args.step == "authorities" else step_rollups(args)
    except JobError as e:
        print(f"linkaudit_rollups: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
