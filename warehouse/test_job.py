"""Tests of the warehouse job's own rules (run by scripts/warehouse-equivalence.sh
with the project's PySpark): the contract's bad-row rule, the timestamp forms,
the URL split the import's parser makes, and repeated event ids. What the
job's output means is checked against linkaudit itself by the equivalence."""

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linkaudit_rollups as job  # noqa: E402

HEADER = "event_id,occurred_at,scene,user_id,url,action,reason,detected_by,client_version\n"
SHANGHAI_OFFSETS = [{"local_from_ms": "946598400000", "local_until_ms": "2111885044935", "offset_seconds": "28800"}]
MANIFEST = {"earliest_ms": 946684800000, "latest_ms": 2111798400000}


def vocabulary():
    rows = [{"field": "scene", "code": c, "principle": ""} for c in
            ["one_to_one_chat", "group_chat", "moments", "official_account", "mini_program", "channels", "search",
             "other"]]
    rows += [{"field": "action", "code": c, "principle": ""} for c in ["open", "warn_proceed", "warn_back", "block"]]
    rows += [{"field": "detected_by", "code": c, "principle": ""} for c in ["automated", "user_report",
                                                                             "manual_review"]]
    rows += [{"field": "reason", "code": "scene_rule", "principle": ""},
             {"field": "reason", "code": "gambling", "principle": "1"}]
    return rows


def reference(d, decisions, authorities):
    """A reference folder for 2021-09-16..17 (Shanghai) with `decisions` and `authorities` rows."""
    ref = os.path.join(d, "ref")
    os.makedirs(ref)
    tables = {
        "offsets.csv": (["local_from_ms", "local_until_ms", "offset_seconds"],
                        [list(SHANGHAI_OFFSETS[0].values())]),
        "vocabulary.csv": (["field", "code", "principle"], [list(r.values()) for r in vocabulary()]),
        "segments.csv": (["from_ms", "until_ms", "day_start_ms", "month_start_ms", "policy_version"],
                         [["1631721600000", "1631808000000", "1631721600000", "1630425600000", ""],
                          ["1631808000000", "1631894400000", "1631808000000", "1630425600000", ""]]),
        "decisions.csv": (["complaint_id", "principle", "scope", "target", "stands_from_ms",
                           "stands_until_ms"], decisions),
        "under_restricted.csv": (["policy_version", "scene", "reason", "action"], []),
        "authorities.csv": (["scheme", "authority", "url_prefix", "host", "host_ascii", "domain"], authorities),
    }
    files = {}
    for name, (header, rows) in tables.items():
        files[name] = dict(zip(("rows", "sha256"), job.write_csv(os.path.join(ref, name), header, rows)))
    with open(os.path.join(ref, "manifest.json"), "w") as f:
        json.dump(dict(MANIFEST, format="linkaudit-reference/1", quarter="2021-Q3",
                       quarter_start_ms=1631721600000, quarter_end_ms=1631894400000,
                       rollup_time_zone="Asia/Shanghai", timestamp_time_zone="Asia/Shanghai",
                       decisions_fingerprint="f", files=files), f)
    return ref


class JobTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = job.spark_session("linkaudit job tests")

    def checked(self, body):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "links.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write(HEADER + body)
            df = job.validated(self.spark, job.read_logs(self.spark, path), MANIFEST, vocabulary(), SHANGHAI_OFFSETS)
            return {r["event_id"]: r for r in df.collect()}

    def test_every_timestamp_form_of_the_contract(self):
        rows = self.checked(
            "a,2021-09-17T08:15:02+08:00,group_chat,u,https://x.cn/,open,,,\n"
            "b,2021-09-17T00:15:02Z,group_chat,u,https://x.cn/,open,,,\n"
            "c,2021-09-17 08:15:02,group_chat,u,https://x.cn/,open,,,\n"
            "d,2021-09-17T08:15:02.5+0800,group_chat,u,https://x.cn/,open,,,\n"
            "e,1631837702,group_chat,u,https://x.cn/,open,,,\n"
            "f,1631837702000,group_chat,u,https://x.cn/,open,,,\n"
            "g,2021-09-16T19:15:02-05,group_chat,u,https://x.cn/,open,,,\n"
            "h,2021-02-30 08:15:02,group_chat,u,https://x.cn/,open,,,\n"
            "i,1999-12-31T23:59:59Z,group_chat,u,https://x.cn/,open,,,\n")
        at = 1631837702000  # 2021-09-17T00:15:02Z
        self.assertEqual([rows[k]["_at"] for k in "abcefg"], [at] * 6)
        self.assertEqual(rows["d"]["_at"], at + 500)
        self.assertIn("occurred_at value 2021-02-30 08:15:02: expected an ISO 8601", rows["h"]["_error"])
        self.assertIn("expected a plausible time", rows["i"]["_error"])
        self.assertTrue(all(rows[k]["_error"] is None for k in "abcdefg"))

    def test_the_url_is_split_where_linkaudits_parser_splits_it(self):
        rows = self.checked(
            "a,1631837702,group_chat,u,HTTPS://Item.JD.com:443/100.html#top,open,,,\n"
            "b,1631837702,group_chat,u,  http://user:pw@x.cn\\a\\b?q=\\1#f,open,,,\n"
            "c,1631837702,group_chat,u,https://x.cn?only=query,open,,,\n"
            "d,1631837702,group_chat,u,ftp://x.cn/,open,,,\n"
            "e,1631837702,group_chat,u,x.cn/no-scheme,open,,,\n")
        self.assertEqual((rows["a"]["_scheme"], rows["a"]["_authority"], rows["a"]["_rest"]),
                         ("HTTPS", "Item.JD.com:443", "/100.html"))
        self.assertEqual((rows["b"]["_scheme"], rows["b"]["_authority"], rows["b"]["_rest"]),
                         ("http", "user:pw@x.cn", "/a/b?q=\\1"))
        self.assertEqual((rows["c"]["_authority"], rows["c"]["_rest"]), ("x.cn", "?only=query"))
        self.assertIn("expected an http or https URL", rows["d"]["_error"])
        self.assertIn("expected an absolute http or https URL", rows["e"]["_error"])

    def test_bad_values_name_the_column_and_keep_personal_ids_out(self):
        rows = self.checked(
            "a,1631837702,lobby,u,https://x.cn/,open,,,\n"
            "b,1631837702,group_chat,u,https://x.cn/,warn_back,,,\n"
            "c,1631837702,group_chat,secret\u0007id,https://x.cn/,open,,,\n"
            "d,1631837702,group_chat,u,https://x.cn/,open, gambling ,user_report,\n"
            "e,1631837702,group_chat,,https://x.cn/,open,,,\n")
        self.assertIn("scene value lobby: expected one of", rows["a"]["_error"])
        self.assertEqual(rows["b"]["_error"], "reason: a reason is required when action is warn_back")
        self.assertIn("user_id: expected text without control characters", rows["c"]["_error"])
        self.assertNotIn("secret", rows["c"]["_error"])
        self.assertIsNone(rows["d"]["_error"])
        self.assertEqual((rows["d"]["_reason"], rows["d"]["_principle"]), ("gambling", 1))
        self.assertEqual(rows["e"]["_error"], "user_id: a value is required")

    def test_a_bad_row_fails_the_job_naming_file_line_and_column_or_goes_aside(self):
        with tempfile.TemporaryDirectory() as d:
            logs = os.path.join(d, "logs")
            os.makedirs(logs)
            with open(os.path.join(logs, "links-1.csv"), "w") as f:
                f.write(HEADER + "a,1631837702,group_chat,u,https://x.cn/,open,,,\n"
                        "b,1631837702,group_chat,u,https://x.cn/,fly,,,\n"
                        "a,1631837703,group_chat,u2,https://x.cn/,open,,,\n")
            ref = reference(d, [], [["https", "x.cn", "https://x.cn", "x.cn", "x.cn", "x.cn"]])
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                status = job.main(["rollups", "--logs", logs, "--reference", ref, "--out", os.path.join(d, "b")])
            self.assertEqual(status, 1)
            self.assertIn("links-1.csv line 3: action value fly: expected one of", err.getvalue())
            self.assertFalse(os.path.exists(os.path.join(d, "b", "manifest.json")))
            rejects = os.path.join(d, "rejects.csv")
            status = job.main(["rollups", "--logs", logs, "--reference", ref, "--out", os.path.join(d, "b"),
                               "--rejects", rejects])
            self.assertEqual(status, 0)
            with open(rejects) as f:
                rejected = list(csv.DictReader(f))
            self.assertEqual([(r["event_id"], r["line"]) for r in rejected], [("b", "3")])
            with open(os.path.join(d, "b", "manifest.json")) as f:
                bundle = json.load(f)
            self.assertEqual(bundle["rows_rejected"], 1)
            # A repeated event id is one event: the first; the manifest says how many rows it dropped,
            # which linkaudit's ledger records as a direct import's duplicates.
            self.assertEqual(bundle["events"], 1)
            self.assertEqual(bundle["rows_duplicate"], 1)
            self.assertEqual(bundle["job_version"], "3")
            self.assertIsInstance(bundle["made_at_ms"], int)
            with open(os.path.join(d, "b", "counts.csv")) as f:
                self.assertEqual(list(csv.reader(f))[1:], [["1630425600000", "", "https", "x.cn", "group_chat", "open",
                                                           "", "automated", "1"]])
            with open(os.path.join(d, "b", "days.csv")) as f:
                self.assertEqual(list(csv.reader(f))[1:], [["1631808000000", "1"]])
            with open(os.path.join(d, "b", "users.csv")) as f:
                self.assertEqual(list(csv.reader(f))[1], ["2021-Q3", "1", "1", "1631837702000", "1631837702000"])


    def test_every_tap_on_a_decisions_url_or_domain_is_a_case_blocked_ones_too(self):
        # Job version 3: the decisions' taps count their blocks, and a warn_url decision covers its URL.
        with tempfile.TemporaryDirectory() as d:
            logs = os.path.join(d, "logs")
            os.makedirs(logs)
            with open(os.path.join(logs, "links-1.csv"), "w") as f:
                f.write(HEADER + "a,1631837702,group_chat,u,https://x.cn/w,block,gambling,automated,\n"
                        "b,1631837703,group_chat,u,https://x.cn/w,open,,,\n"
                        "c,1631837704,group_chat,u,https://x.cn/other,open,,,\n"
                        "d,1631837705,group_chat,u,https://www.y.cn/p,block,gambling,automated,\n"
                        "e,1631837706,group_chat,u,https://www.y.cn/q,warn_back,gambling,automated,\n")
            ref = reference(d, [["w1", "3", "warn_url", "https://x.cn/w", "1631721600000", ""],
                                ["b1", "1", "block_domain", "y.cn", "1631721600000", ""]],
                            [["https", "x.cn", "https://x.cn", "x.cn", "x.cn", "x.cn"],
                             ["https", "www.y.cn", "https://www.y.cn", "www.y.cn", "www.y.cn", "y.cn"]])
            self.assertEqual(job.main(["rollups", "--logs", logs, "--reference", ref, "--out", os.path.join(d, "b")]),
                             0)
            with open(os.path.join(d, "b", "cases.csv")) as f:
                self.assertEqual([r["event_id"] for r in csv.DictReader(f)], ["a", "b", "d", "e"])

if __name__ == "__main__":
    unittest.main()
