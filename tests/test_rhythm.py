"""Seed 001's rhythm, ticked: the Monday pack reaches each manager once, on the first working day of the week from
09:00; the month report reaches the director once, on the first working day of the month, with the forecast made
30 days before the month's end set against what was won; and a forecast learns the team's own win rates once 20
closed deals back a stage."""
from __future__ import annotations

import pytest

from tests.conftest import ORG
from tests.test_metrics import TODAY, quarter  # noqa: F401 (the fixture)


@pytest.fixture
def org_file(tmp_path):
    """The test org with the rhythm turned on (an org asks for it: `[org] monday_pack / month_report`)."""
    path = tmp_path / "oppbot.toml"
    path.write_text(ORG.replace("[org]\n", "[org]\nmonday_pack = true\nmonth_report = true\n", 1), encoding="utf-8")
    return path


def digests(out: list[dict], head: str) -> list[dict]:
    return [o for o in out if o["kind"] == "digest" and o["text"].startswith(head)]


def test_the_monday_pack_reaches_each_manager_once_on_monday_morning(quarter):
    assert digests(quarter.tick("2026-12-07T08:59:00+08:00"), "周一简报") == []
    sent = digests(quarter.tick("2026-12-07T09:00:00+08:00"), "周一简报")
    assert sorted(o["to"] for o in sent) == ["mike", "wendy"]  # one per team manager
    mike = next(o["text"] for o in sent if o["to"] == "mike").splitlines()
    assert mike[:2] == ["周一简报（East 团队，上周 2026-11-30 至 2026-12-06）", "高风险商机：无"]
    assert "转化率（East 团队，2026-11-30 至 2026-12-06）：" in mike
    # last week: SH-005 entered 方案推进 (11-30), SH-006 was registered (12-02); neither moved on
    assert "  商机发现 0/1 = 0%" in mike and "  方案推进 0/1 = 0%" in mike
    assert "成交周期（East 团队，2026-11-30 至 2026-12-06）：" in mike
    assert "跟进合规（East 团队，今天 2026-12-07）：" in mike
    for later in ("2026-12-07T10:00:00+08:00", "2026-12-07T17:00:00+08:00", "2026-12-08T09:00:00+08:00"):
        assert digests(quarter.tick(later), "周一简报") == []
    assert len(digests(quarter.tick("2026-12-14T09:30:00+08:00"), "周一简报")) == 2  # the next week's
    # by 2027-01-04 both open deals have stayed over 1.5× their stage's default: the dwell job marks them first
    [pack] = [o["text"] for o in digests(quarter.tick("2027-01-04T09:00:00+08:00"), "周一简报") if o["to"] == "mike"]
    assert pack.splitlines()[1:4] == [
        "高风险商机 2 个：",
        "• 2026-SH-005 南京紫金软件科技有限公司 @Bob 方案推进 已停留 34 天",  # since 11-30 (21 × 1.5 = 31.5)
        "• 2026-SH-006 宁波港口物流有限公司 @Alice 商机发现 已停留 32 天"]  # since 12-02 (14 × 1.5 = 21)


def test_a_monday_holiday_moves_the_pack_to_the_next_working_day(bot):
    # National Day 2026: 10-01 to 10-07 off, so that week's first working day is Thursday 10-08
    assert digests(bot.tick("2026-10-05T09:00:00+08:00"), "周一简报") == []
    assert digests(bot.tick("2026-10-07T09:00:00+08:00"), "周一简报") == []
    assert sorted(o["to"] for o in digests(bot.tick("2026-10-08T09:00:00+08:00"), "周一简报")) == ["mike", "wendy"]
    assert digests(bot.tick("2026-10-10T09:00:00+08:00"), "周一简报") == []  # the make-up Saturday: same week


MONTH = [
    ("2026-10-20T10:00:00+08:00", "alice", "报备 上海东方明珠装备有限公司 联系人 钱一 总经理 13900000001 需求 产线 预算 100万 预计 11月20日"),
    ("2026-10-20T10:05:00+08:00", "bob", "报备 杭州钱塘数据服务有限公司 联系人 孙二 CTO 13900000002 需求 数据中台 预算 50万 预计 11月25日"),
    ("2026-10-21T10:00:00+08:00", "mike", "推进 2026-SH-001 到 商务成交 跳过"),  # 80%
    ("2026-10-21T10:05:00+08:00", "mike", "推进 2026-SH-002 到 方案推进 跳过"),  # 60%
]


def test_the_month_report_checks_the_forecast_made_30_days_before_the_month_end(bot):
    for at, user, text in MONTH:
        bot.say(user, text, at=at)
    bot.tick("2026-10-31T10:00:00+08:00")  # a Saturday: the snapshot is data, it is taken on any day
    bot.say("alice", "赢单 2026-SH-001 金额 100万", at="2026-11-18T10:00:00+08:00")
    bot.say("bob", "输单 2026-SH-002 原因 需求变更", at="2026-11-26T10:00:00+08:00")
    assert digests(bot.tick("2026-12-01T08:59:00+08:00"), "月度报告") == []
    [report] = digests(bot.tick("2026-12-01T09:00:00+08:00"), "月度报告")
    assert report["to"] == "dora"
    lines = report["text"].splitlines()
    assert lines[0] == "月度报告（全公司，2026-11）"
    assert "• 赢 1 / 输 1 = 50%，赢单金额 100万" in lines
    assert "本月最佳商机：2026-SH-001 上海东方明珠装备有限公司（Alice）赢单 100万，周期 29 天（本月赢单平均 29 天）" in lines
    assert "商机管理之星：Alice（赢率 100%，平均周期 29 天，协作评分 —，赢单 100万）" in lines
    # 10-31, 30 days before 11-30: won 0 + 100万 × 80% + 50万 × 60% = 110万; November won 100万 → +10%
    assert "• East：2026-10-31 预测 110万，实际 100万，误差 +10%；此前：—" in lines
    assert "• West：2026-10-31 预测 0元，实际 0元，误差 —；此前：—" in lines
    assert digests(bot.tick("2026-12-01T10:00:00+08:00"), "月度报告") == []
    assert digests(bot.tick("2026-12-02T09:00:00+08:00"), "月度报告") == []


CITIES = ("北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉", "西安", "天津", "青岛",
          "大连", "厦门", "宁波", "长沙", "郑州", "济南", "合肥", "福州", "昆明", "沈阳", "南宁", "太原")
WORDS = ("星辰", "海岳", "松柏", "云帆", "金石", "银河", "朝阳", "明月", "青山", "绿水", "红枫", "紫竹", "蓝海",
         "白鹭", "黄河", "长江", "泰山", "华山", "衡山", "恒山", "嵩山", "黄山", "庐山", "峨眉", "武夷")


def test_without_the_org_asking_no_pack_and_no_report_is_sent(make_bot, tmp_path):
    from bot import replay, wiring
    from tests.conftest import Conversation
    plain = tmp_path / "plain.toml"
    plain.write_text(ORG, encoding="utf-8")
    clock = replay.ScriptClock()
    bot = Conversation(wiring.build(wiring.load_config(str(plain)), url=f"sqlite:///{tmp_path}/plain.db", clock=clock),
                       clock)
    out = bot.tick("2026-12-07T09:00:00+08:00") + bot.tick("2026-12-01T09:00:00+08:00")
    assert [o for o in out if o["kind"] == "digest" and o["to"] in ("mike", "wendy", "dora")] == []
    bot.deps.sessions.kw["bind"].dispose()


def test_a_forecast_learns_the_teams_win_rate_once_20_closed_deals_back_a_stage(bot):
    at = "2026-11-02T10:00:00+08:00"
    for k, (city, word) in enumerate(zip(CITIES, WORDS), 1):
        assert "已报备" in bot.reply("alice", f"报备 {city}{word}科技有限公司 需求 CRM 预算 10万", at=at)
        verb = f"赢单 2026-SH-{k:03d} 金额 10万" if k <= 10 else f"输单 2026-SH-{k:03d} 原因 竞品低价"
        bot.say("alice", verb, at=at)
    bot.reply("alice", "报备 拉萨雪域高原科技有限公司 需求 CRM 预算 100万 预计 12月20日", at=at)
    lines = bot.reply("mike", "预测 本月", at=TODAY).splitlines()
    # 25 closed deals all reached 商机发现, 10 were won: 40%; SPEC's default is 10%
    assert lines[1] == "本月（2026-12-01 至 2026-12-31）：10万，1 个商机；按团队历史赢率 40万"
    assert lines[2] == "历史赢率（已关闭商机）：商机发现 40%（25 单；默认 10%）"
    walt = bot.reply("wendy", "预测 本月", at=TODAY).splitlines()  # West has no history: nothing learned
    assert len(walt) == 2 and "history" not in walt[1] and "团队历史" not in walt[1]
