"""The team's Excel in, and any list out: `oppbot import` with real files written by openpyxl and by hand in GBK —
headers guessed, every cell through the chat's readers, 查重 against the database and the file itself, one
transaction (a row error stops it all, unless --skip-bad), a re-run importing nothing — and `oppbot export
--format xlsx` read back into an empty database giving the same opportunities."""
from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from bot import cli
from storage import models as m
from tests.conftest import ORG

AT = "2026-11-02T10:00:00+08:00"
HEADERS = ["客户名称", "联系人", "职位", "手机", "邮箱", "需求", "预算", "预计签约", "来源", "行业", "阶段", "负责人",
           "跟进记录", "下次跟进"]


def workbook(path, headers, rows) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return str(path)


@pytest.fixture
def run(db_url, org_file, monkeypatch, capsys, request):
    """`oppbot ARGS` in this process on the test database: (exit code, what it printed)."""
    org_file.write_text(ORG.replace('id = "walt"\n', 'id = "walt"\nemail = "walt@west.example.com"\n'),
                        encoding="utf-8")
    monkeypatch.setenv("OPPBOT_DATABASE_URL", db_url)
    clock = time_machine.travel(datetime.fromisoformat("2026-11-04T10:00:00+08:00"), tick=False)
    clock.start()  # the CLI reads the system clock: "today" is a fixed day for every row's dates
    request.addfinalizer(clock.stop)

    def oppbot(*args, url: str | None = None) -> tuple[int, str]:
        if url:
            monkeypatch.setenv("OPPBOT_DATABASE_URL", url)
        code = cli.main([*map(str, args), "--config", str(org_file)])
        out = capsys.readouterr()
        return code, out.out + out.err
    return oppbot


def opportunities(make_bot, url=None) -> list[dict]:
    return make_bot(url).export()["opportunities"]


ROWS = [
    ["杭州云栖科技有限公司", "李娜", "采购经理", "+86 139-0000-0001", "lina@yunqi.example.com", "数据平台", "50万",
     "2026/12/31", "官网", "软件", "需求确认", "alice", "电话沟通，客户在比较方案", "2026/11/20"],
    ["宁波港信息技术有限公司", "周强", "CTO", "13700000002", None, "调度系统", "¥80,000", 46387, "展会", "物流",
     "Proposal", "Bob", None, None],
    ["成都天府软件园有限公司", "王芳", None, "13600000003", None, "CRM", 120000, date(2027, 1, 15), "转介绍", "软件",
     "商机发现", "walt@west.example.com", None, "12月10日"],
]


def test_headers_are_guessed_and_every_cell_read_as_the_chat_reads_it(tmp_path, run, make_bot):
    path = workbook(tmp_path / "pipeline.xlsx", HEADERS, ROWS)
    code, out = run("import", path, "--dry-run")
    assert code == 0, out
    assert "读到 3 行" in out and "客户名称→customer" in out and "预计签约→expected_close" in out
    assert "可导入 3 行" in out and opportunities(make_bot) == []  # a preview writes nothing

    code, out = run("import", path, "--as", "mike")
    assert code == 0 and "已导入 3 行" in out, out
    by_customer = {o["customer"]: o for o in opportunities(make_bot)}
    yunqi, ningbo, tianfu = (by_customer[r[0]] for r in ROWS)
    assert (yunqi["id"], yunqi["owner"], yunqi["stage"], yunqi["budget"], yunqi["expected_close"], yunqi["source"],
            yunqi["industry"]) == ("2026-SH-001", "alice", "qualification", 500000, "2026-12-31", "website", "软件")
    assert yunqi["contacts"] == [{"name": "李娜", "title": "采购经理", "role": "influencer", "phone": "13900000001",
                                  "email": "lina@yunqi.example.com"}]
    assert [f["content"] for f in yunqi["follow_ups"]] == ["电话沟通，客户在比较方案"]
    assert (ningbo["owner"], ningbo["stage"], ningbo["budget"], ningbo["expected_close"], ningbo["source"]) == (
        "bob", "proposal", 80000, "2026-12-31", "exhibition")  # ¥80,000; an Excel serial date
    assert (tianfu["id"], tianfu["owner"], tianfu["budget"], tianfu["expected_close"], tianfu["source"]) == (
        "2026-CD-001", "walt", 120000, "2027-01-15", "referral")  # owner by e-mail; a date cell
    assert yunqi["audit"][0]["message"] == "import pipeline.xlsx row 2" and yunqi["audit"][0]["by"] == "alice"
    with make_bot().deps.sessions() as s:  # 下次跟进 is the rep's next-action date; as in chat, it can bring the
        yunqi, tianfu = s.get(m.Opportunity, "2026-SH-001"), s.get(m.Opportunity, "2026-CD-001")  # cadence forward
        assert (str(yunqi.next_action_date), str(yunqi.follow_up_due)) == ("2026-11-20", "2026-11-07")  # 3 days
        assert (str(tianfu.next_action_date), str(tianfu.follow_up_due)) == ("2026-12-10", "2026-11-11")  # 12月10日


def test_a_conflict_in_the_file_and_one_against_the_database_are_reported_never_imported(tmp_path, run, make_bot):
    bot = make_bot()
    bot.reply("walt", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM", at=AT)
    path = workbook(tmp_path / "east.xlsx", ["客户", "联系人", "手机", "负责人"], [
        ["腾讯科技（深圳）有限公司", "张三", "13900000011", "alice"],  # walt's customer, by another name
        ["苏州恒立精密机械有限公司", "钱七", "13900000012", "alice"],
        ["苏州恒立精密机械", "赵六", "13900000013", "bob"],  # the row above's customer, for another rep
    ])
    code, out = run("import", path)
    assert code == 0, out
    assert "第 2 行：撞单，客户已由 Walt 报备（2026-CD-001，保护期至 2027-01-31），未导入。" in out
    assert "第 4 行：撞单，客户已由 Alice 报备（2026-SH-001" in out and "已导入 1 行；撞单 2" in out
    assert [(o["customer"], o["owner"]) for o in opportunities(make_bot)] == [
        ("深圳市腾讯计算机系统有限公司", "walt"), ("苏州恒立精密机械有限公司", "alice")]


def test_a_row_error_stops_the_whole_import_and_skip_bad_imports_the_good_rows(tmp_path, run, make_bot):
    path = workbook(tmp_path / "bad.xlsx", ["客户名称", "联系人", "预算", "预计成交", "负责人"], [
        ["杭州云栖科技有限公司", "李娜", "50万", "2026-12-31", "alice"],
        ["宁波港信息技术有限公司", "周强", "很多钱", "下辈子", "alice"],
        ["成都天府软件园有限公司", "王芳", None, None, "nobody"],
    ])
    code, out = run("import", path)
    assert code == 1
    assert "第 3 行：budget: 读不懂金额“很多钱”" in out and "expected_close: 读不懂日期“下辈子”" in out
    assert "第 4 行：owner: 不认识负责人“nobody”" in out and "一行也没有导入" in out
    assert opportunities(make_bot) == []
    code, out = run("import", path, "--skip-bad")
    assert code == 0 and "已导入 1 行" in out and "有错 2" in out
    assert [o["customer"] for o in opportunities(make_bot)] == ["杭州云栖科技有限公司"]


def test_importing_the_same_file_twice_imports_nothing_the_second_time(tmp_path, run, make_bot):
    path = workbook(tmp_path / "pipeline.xlsx", HEADERS, ROWS)
    assert run("import", path)[0] == 0
    code, out = run("import", path)
    assert code == 0 and "已导入 0 行" in out and "已是你的 3" in out and "第 2 行：已在 2026-SH-001" in out
    assert len(opportunities(make_bot)) == 3


def test_rows_written_together_answer_as_rows_written_one_by_one(tmp_path, run, make_bot, new_database,
                                                                    monkeypatch):
    """An import writes its registrations in batches (handlers.importing.BATCH_ROWS); a file full of the same
    customers written differently — short names, pinyin, a shared phone, one already registered — must get the
    answers, IDs and owners it gets when each row is written before the next is checked."""
    from handlers import importing
    make_bot().reply("walt", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM", at=AT)
    names = ["杭州云栖科技有限公司", "云栖科技", "Hangzhou Yunqi Technology Co., Ltd.", "宁波港信息技术有限公司",
             "宁波港信息", "腾讯科技（深圳）有限公司", "苏州恒立精密机械有限公司", "恒立精密", "成都天府软件园有限公司",
             "天府软件园", "北京字节跳动科技有限公司", "字节跳动", "上海云栖数据有限公司"]
    rows = [[names[k % len(names)], f"联系人{k}", f"139{(k * 7) % 40:08d}", "CRM", ("alice", "bob", "walt")[k % 3]]
            for k in range(120)]
    path = workbook(tmp_path / "same.xlsx", ["客户名称", "联系人", "手机", "需求", "负责人"], rows)
    one_by_one = new_database()
    make_bot(one_by_one).reply("walt", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM", at=AT)

    code, together = run("import", path)
    monkeypatch.setattr(importing, "BATCH_ROWS", 1)
    code_one, alone = run("import", path, url=one_by_one)
    assert code == code_one == 0, together
    assert "撞单" in together and "已是你的" in together and "已导入 0 行" not in together
    assert together == alone

    def stored(url=None):
        return [(o["id"], o["customer"], o["owner"], o["flag"], [c["phone"] for c in o["contacts"]])
                for o in opportunities(make_bot, url)]
    assert stored() == stored(one_by_one) and len(stored()) > 5
    numbers = sorted(int(o[0].rsplit("-", 1)[1]) for o in stored() if "-SH-" in o[0])
    assert numbers == list(range(1, len(numbers) + 1))  # the batch's numbers, without a gap
    for url in (None, one_by_one):  # and the counter went on from the last one the import used
        said = make_bot(url).reply("bob", "报备 广州白云新材料有限公司 联系人 陈一 13500000000 需求 CRM", at=AT)
        assert f"2026-SH-{len(numbers) + 1:03d}" in said, said


def test_a_gbk_csv_from_chinese_excel_is_read(tmp_path, run, make_bot):
    text = "客户名称,联系人,手机,需求,负责人\r\n杭州云栖科技有限公司,李娜,13900000001,数据平台,Alice\r\n"
    path = tmp_path / "导出.csv"
    path.write_bytes(text.encode("gbk"))
    code, out = run("import", path)
    assert code == 0, out
    [opp] = opportunities(make_bot)
    assert (opp["customer"], opp["contacts"][0]["name"], opp["need"], opp["owner"]) == (
        "杭州云栖科技有限公司", "李娜", "数据平台", "alice")


def test_map_overrides_an_unknown_header_and_a_file_without_a_customer_column_is_refused(tmp_path, run, make_bot):
    path = workbook(tmp_path / "odd.xlsx", ["单位", "对接人", "负责同事"], [["杭州云栖科技有限公司", "李娜", "alice"]])
    code, out = run("import", path)
    assert code == 2 and "no customer column among 单位, 对接人, 负责同事" in out
    code, out = run("import", path, "--map", "单位=customer,对接人=contact", "--owner-column", "负责同事")
    assert code == 0 and "已导入 1 行" in out, out
    assert opportunities(make_bot)[0]["contacts"][0]["name"] == "李娜"


def test_an_export_read_back_into_an_empty_database_gives_the_same_opportunities(tmp_path, run, make_bot,
                                                                                new_database):
    bot = make_bot()
    bot.reply("alice", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万 "
                       "预计 12月底成交 行业 互联网 来源 展会", at=AT)
    bot.reply("walt", "报备 成都天府软件园有限公司 联系人 王芳 13600000003 需求 BI 预算 $120k", at=AT)
    bot.reply("bob", "报备 苏州恒立精密机械有限公司 联系人 钱七 13900000012 需求 MES", at=AT)
    bot.reply("mike", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    bot.reply("bob", "赢单 2026-SH-002 金额 30万", at="2026-11-10T10:00:00+08:00")
    code, _ = run("export", "--format", "xlsx", "--out", tmp_path / "out.xlsx")
    assert code == 0
    sheet = load_workbook(io.BytesIO((tmp_path / "out.xlsx").read_bytes())).active
    assert [c.value for c in sheet[1]][:3] == ["编号", "客户名称", "联系人"]

    empty = new_database()
    code, out = run("import", tmp_path / "out.xlsx", url=empty)
    assert code == 0 and "已导入 3 行" in out, out

    def same(opps):
        return [(o["id"], o["customer"], o["owner"], o["team"], o["stage"], o["status"], o["budget"], o["currency"],
                 o["expected_close"], o["source"], o["industry"], o["need"],
                 [(c["name"], c["title"], c["phone"], c["email"]) for c in o["contacts"]]) for o in opps]
    assert same(opportunities(make_bot, empty)) == same(opportunities(make_bot))


def test_the_export_csv_opens_in_excel_as_chinese(tmp_path, run, make_bot):
    make_bot().reply("alice", "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台", at=AT)
    code, _ = run("export", "--format", "csv", "--out", tmp_path / "out.csv", "--lang", "en")
    raw = (tmp_path / "out.csv").read_bytes()
    assert code == 0 and raw.startswith(b"\xef\xbb\xbfID,Customer,Contact")
    assert "杭州云栖科技,李娜" in raw.decode("utf-8-sig")



# ---- import in chat -------------------------------------------------------------------------------------------

def sheet_bytes(headers, rows) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spreadsheet_sent_on_slack_is_previewed_and_confirm_import_applies_it(make_bot, org_file):
    from tests.slack_api import MockSlack
    from tests.test_slack import IDS, SlackWorld, slack_org
    org_file.write_text(slack_org(), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat("2026-11-04T10:00:00+08:00")
    bot.reply("walt", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM", at=AT)
    api = MockSlack()
    world = SlackWorld(bot, api)
    try:
        api.files["F0SHEET"] = ("东区商机.xlsx", sheet_bytes(["客户名称", "联系人", "手机", "负责人"], [
            ["杭州云栖科技有限公司", "李娜", "13900000001", "alice"],
            ["腾讯科技（深圳）有限公司", "张三", "13900000002", "bob"]]))

        def shared(who: str, n: int):
            world.post(json.dumps({"type": "event_callback", "team_id": "T0TEST", "event_id": f"EvFile{n}",
                                   "event": {"type": "file_shared", "file_id": "F0SHEET", "user_id": IDS[who],
                                             "channel_id": "D" + IDS[who][1:], "event_ts": "1700000400.000001"}}),
                       content_type="application/json")
        shared("alice", 1)  # a rep may not import
        [refused] = api.wait_for("chat.postMessage")
        assert refused["params"]["channel"] == "D0ALICE" and "只有主管" in refused["params"]["text"]

        shared("mike", 2)
        preview = api.wait_for("chat.postMessage", 2)[-1]["params"]
        assert preview["channel"] == "D0MIKE" and "可导入 1 行；撞单 1" in preview["text"]
        assert "第 3 行：撞单，客户已由 Walt 报备（2026-CD-001" in preview["text"] and "确认导入" in preview["text"]
        assert [c["auth"] for c in api.named("files-pri")][-1] == "Bearer xoxb-test"
        assert len(bot.export()["opportunities"]) == 1  # a preview writes nothing

        world.event("mike", "确认导入", channel="D0MIKE")
        done = api.wait_for("chat.postMessage", 3)[-1]["params"]
        assert "已导入 1 行；撞单 1" in done["text"]
        opps = {o["customer"]: o for o in bot.export()["opportunities"]}
        assert opps["杭州云栖科技有限公司"]["owner"] == "alice"
        assert opps["杭州云栖科技有限公司"]["audit"][0]["message"] == "import 东区商机.xlsx row 2"
        world.event("mike", "确认导入", channel="D0MIKE")  # nothing waits any more: not imported twice
        api.wait_for("chat.postMessage", 4)
        assert len(bot.export()["opportunities"]) == 2
    finally:
        world.close()
        api.close()


def test_a_spreadsheet_sent_on_wecom_is_fetched_previewed_and_imported_on_confirm(make_bot, org_file):
    import time as clock

    from tests.test_wecom import IDS, WeComWorld, settings_for, wecom_org
    from tests.wecom_api import MockWeCom
    org_file.write_text(wecom_org(), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat("2026-11-04T10:00:00+08:00")
    api = MockWeCom()
    world = WeComWorld(bot, api, settings_for(api))
    try:
        text = "客户名称,联系人,手机,负责人\r\n杭州云栖科技有限公司,李娜,13900000001,alice\r\n"
        api.media["MEDIA-SHEET"] = ("东区商机.csv", text.encode("gbk"))
        world.post({"FromUserName": IDS["mike"], "CreateTime": int(clock.time()), "MsgType": "file",
                    "MediaId": "MEDIA-SHEET", "MsgId": "7237000000000090001"})
        world.api.wait_for("message/send")
        world.settle()
        preview = world.api.texts("mike.w")[-1]
        assert "读到 1 行" in preview and "可导入 1 行" in preview and "确认导入" in preview
        assert bot.export()["opportunities"] == []
        world.text("mike", "确认导入")
        world.settle()
        assert "已导入 1 行" in world.api.texts("mike.w")[-1]
        assert [o["customer"] for o in bot.export()["opportunities"]] == ["杭州云栖科技有限公司"]
    finally:
        world.close()
        api.close()


def test_export_in_chat_attaches_the_askers_list_as_a_sheet_on_slack(make_bot, org_file):
    from tests.slack_api import MockSlack
    from tests.test_slack import SlackWorld, slack_org
    org_file.write_text(slack_org(), encoding="utf-8")
    bot = make_bot()
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 13900000001 需求 数据平台", at=AT)
    bot.reply("bob", "报备 宁波港信息技术有限公司 联系人 周强 13700000002 需求 调度系统", at=AT)
    bot.clock.now = datetime.fromisoformat("2026-11-04T10:00:00+08:00")
    api = MockSlack()
    world = SlackWorld(bot, api)
    try:
        world.event("alice", "导出 我的商机", channel="D0ALICE")
        api.wait_for("files.completeUploadExternal")
        [asked] = api.ok("files.getUploadURLExternal")
        assert asked["params"]["filename"] == "商机-2026-11-04.xlsx"
        upload = next(c for c in api.calls if c["method"].startswith("/upload/"))
        content = upload["body"]
        start = content.find(b"PK\x03\x04")  # the workbook inside the upload's form body
        sheet = load_workbook(io.BytesIO(content[start:content.rfind(b"\r\n--")] if b"\r\n--" in content
                                         else content[start:])).active
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
        assert [r[1] for r in rows] == ["杭州云栖科技有限公司"]  # alice's own, not bob's
        post = next(c for c in api.ok("chat.postMessage") if c["params"]["channel"] == "D0ALICE")
        assert post["params"]["text"].startswith("已导出 1 个商机：商机-2026-11-04.xlsx")
    finally:
        world.close()
        api.close()


def test_export_in_chat_on_wecom_sends_the_sheet_as_a_file_message(make_bot, org_file):
    from tests.test_wecom import WeComWorld, settings_for, wecom_org
    from tests.wecom_api import MockWeCom
    org_file.write_text(wecom_org(), encoding="utf-8")
    bot = make_bot()
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 13900000001 需求 数据平台", at=AT)
    bot.clock.now = datetime.fromisoformat("2026-11-04T10:00:00+08:00")
    api = MockWeCom()
    world = WeComWorld(bot, api, settings_for(api))
    try:
        world.text("mike", "导出 团队商机")
        world.settle()
        [upload] = api.ok("media/upload")
        assert upload["query"]["type"] == "file" and "商机-2026-11-04.xlsx".encode() in upload["raw"]
        sent = [c["json"] for c in api.ok("message/send") if c["json"]["touser"] == "mike.w"]
        assert sent[0]["text"]["content"].startswith("已导出 1 个商机")
        assert sent[1]["msgtype"] == "file" and sent[1]["file"]["media_id"].startswith("MEDIA-")
    finally:
        world.close()
        api.close()
