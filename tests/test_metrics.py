"""A quarter replayed (2026 Q4, plus one September registration): known registrations, stage moves, wins and
losses, then every metric asked in chat by a manager, a rep and the director. The figures below are worked out
by hand from the story, not read back from the code.

The story (all at 10:00 Shanghai time; East: alice, bob, manager mike; West: walt; director dora):
  SH-001 bob    09-20 合肥 40万 phone          lost 10-10 竞品低价 (金蝶)               cycle —
  SH-002 alice  10-08 华东重工 80万 exhibition  → qual 10-18 → prop 10-28 → nego 11-07 → won 11-17 80万 (40 days)
  SH-003 alice  10-15 西湖百货 20万 website    → qual 10-25, lost 11-20 竞品低价 (销售易)
  CD-001 walt   10-20 Wu Corp 1m exhibition    lost 12-01 need changed
  SH-004 bob    11-02 精密模具 5万 exhibition   won 11-30 6万 straight from discovery (28 days)
  SH-005 bob    11-10 紫金软件 60万 referral    → qual 11-20 → prop 11-30, open (CEO reached)
  SH-006 alice  12-02 宁波物流 30万 website    open in discovery (no decision maker)
"""
from __future__ import annotations

import json

import pytest

STORY = [
    ("2026-09-20", "bob", "报备 合肥科大电子有限公司 联系人 周八 采购经理 13800000007 需求 测试设备 预算 40万 来源 电话 行业 电子"),
    ("2026-10-08", "alice", "报备 上海华东重工机械有限公司 联系人 张三 总经理 13800000001 需求 ERP 升级 预算 80万 来源 展会 行业 制造"),
    ("2026-10-10", "bob", "输单 2026-SH-001 原因 竞品低价 竞品 金蝶"),
    ("2026-10-15", "alice", "报备 杭州西湖百货零售有限公司 联系人 李四 采购经理 13800000002 需求 会员系统 预算 20万 来源 官网 行业 零售"),
    ("2026-10-18", "mike", "推进 2026-SH-002 到 需求确认 跳过"),
    ("2026-10-20", "walt", "register Wu Corp, contact Tom Lee (CTO) tom@wucorp.com, budget 1m, source exhibition, need: CRM"),
    ("2026-10-25", "mike", "推进 2026-SH-003 到 需求确认 跳过"),
    ("2026-10-28", "mike", "推进 2026-SH-002 到 方案推进 跳过"),
    ("2026-11-02", "bob", "报备 苏州工业园精密模具有限公司 联系人 王五 工程师 13800000003 需求 MES 预算 5万 来源 展会 行业 制造"),
    ("2026-11-07", "mike", "推进 2026-SH-002 到 商务成交 跳过"),
    ("2026-11-10", "bob", "报备 南京紫金软件科技有限公司 联系人 赵六 CEO 13800000004 需求 数据平台 预算 60万 来源 转介绍 行业 软件"),
    ("2026-11-17", "alice", "赢单 2026-SH-002 金额 80万"),
    ("2026-11-20", "alice", "输单 2026-SH-003 原因 竞品低价 竞品 销售易"),
    ("2026-11-20", "mike", "推进 2026-SH-005 到 需求确认 跳过"),
    ("2026-11-30", "bob", "赢单 2026-SH-004 金额 6万"),
    ("2026-11-30", "mike", "推进 2026-SH-005 到 方案推进 跳过"),
    ("2026-12-01", "walt", "lost 2026-CD-001 reason need changed"),
    ("2026-12-02", "alice", "报备 宁波港口物流有限公司 联系人 孙七 工程师 13800000006 需求 调度系统 预算 30万 来源 官网 行业 物流"),
]
TODAY = "2026-12-04T10:00:00+08:00"


@pytest.fixture
def quarter(bot):
    for day, user, text in STORY:
        bot.say(user, text, at=f"{day}T10:00:00+08:00")
    stored = {o["id"]: o for o in bot.export()["opportunities"]}
    # the story as stored, so a parse change shows here and not as a wrong metric
    assert {i: (o["owner"], o["status"], o["stage"], o["budget"], o["source"]) for i, o in stored.items()} == {
        "2026-SH-001": ("bob", "lost", "closed", 400000, "phone"),
        "2026-SH-002": ("alice", "won", "closed", 800000, "exhibition"),
        "2026-SH-003": ("alice", "lost", "closed", 200000, "website"),
        "2026-CD-001": ("walt", "lost", "closed", 1000000, "exhibition"),
        "2026-SH-004": ("bob", "won", "closed", 60000, "exhibition"),
        "2026-SH-005": ("bob", "open", "proposal", 600000, "referral"),
        "2026-SH-006": ("alice", "open", "discovery", 300000, "website")}
    assert stored["2026-CD-001"]["currency"] == "USD" and stored["2026-SH-002"]["currency"] == "CNY"
    assert [c["role"] for c in stored["2026-SH-005"]["contacts"]] == ["decision_maker"]
    assert [c["role"] for c in stored["2026-SH-006"]["contacts"]] != ["decision_maker"]
    return bot


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_conversion_of_the_quarter_for_the_manager_the_rep_and_the_director(quarter):
    assert lines(quarter.reply("mike", "转化率 本季度", at=TODAY)) == [
        "转化率（East 团队，2026-10-01 至 2026-12-31）：",
        "• 商机转化率 2/5 = 40%（本期报备 5 个，至今赢单 2 个）",  # SH-002..006; SH-002 and SH-004 won
        "• 高价值商机占比 2/5 = 40%（金额 > 50万）",  # SH-002 80万, SH-005 60万
        "• 各阶段转化（本期进入该阶段 → 推进到后续阶段或赢单）：",
        "  商机发现 4/5 = 80%",  # all but SH-006; SH-001 entered in September
        "  需求确认 2/3 = 67%",  # SH-002, SH-005 moved on; SH-003 was lost there
        "  方案推进 1/2 = 50%",  # SH-002 on, SH-005 still there
        "  商务成交 1/1 = 100%"]
    assert lines(quarter.reply("alice", "转化率 本季度", at=TODAY))[:3] == [
        "转化率（我的，2026-10-01 至 2026-12-31）：",
        "• 商机转化率 1/3 = 33%（本期报备 3 个，至今赢单 1 个）",
        "• 高价值商机占比 1/3 = 33%（金额 > 50万）"]
    assert lines(quarter.reply("dora", "转化率 2026年Q4", at=TODAY))[:3] == [
        "转化率（全公司，2026-10-01 至 2026-12-31）：",
        "• 商机转化率 2/6 = 33%（本期报备 6 个，至今赢单 2 个）",  # CD-001 too
        "• 高价值商机占比 3/6 = 50%（金额 > 50万）"]


def test_cycle_and_days_in_each_stage(quarter):
    assert lines(quarter.reply("mike", "周期 本季度", at=TODAY)) == [
        "成交周期（East 团队，2026-10-01 至 2026-12-31）：",
        "• 本期赢单 2 个，平均成交周期 34 天（报备 → 赢单）",  # (40 + 28) / 2
        "• 各阶段平均停留（本期结束的停留）：",
        "  商机发现 15.6 天（5 次）",  # 10 + 10 + 28 + 10 and SH-001's 20 (09-20 → lost 10-10)
        "  需求确认 15.3 天（3 次）",  # 10 + 26 + 10
        "  方案推进 10 天（1 次）",
        "  商务成交 10 天（1 次）"]
    assert lines(quarter.reply("bob", "周期 本季度", at=TODAY))[1:3] == [  # his SH-004 (28 days) alone
        "• 本期赢单 1 个，平均成交周期 28 天（报备 → 赢单）", "• 各阶段平均停留（本期结束的停留）："]
    assert lines(quarter.reply("dora", "周期 本季度", at=TODAY))[3] == \
        "  商机发现 20 天（6 次）"  # CD-001 too: 10-20 → lost 12-01 is 42 days; (78 + 42) / 6


def test_win_rate_by_amount_last_month_and_this_quarter(quarter):
    assert lines(quarter.reply("mike", "赢率 本季度", at=TODAY)) == [
        "赢率（East 团队，2026-10-01 至 2026-12-31）：",
        "• 赢 2 / 输 2 = 50%，赢单金额 86万",
        "  < 10万：赢 1 输 0 = 100%",
        "  10万–50万：赢 0 输 2 = 0%",
        "  > 50万：赢 1 输 0 = 100%"]
    assert lines(quarter.reply("mike", "赢率 上月", at=TODAY))[:2] == [  # November: SH-002, SH-004 won, SH-003 lost
        "赢率（East 团队，2026-11-01 至 2026-11-30）：", "• 赢 2 / 输 1 = 67%，赢单金额 86万"]
    assert lines(quarter.reply("walt", "win rate this quarter", at=TODAY))[:2] == [
        "Win rate (mine, 2026-10-01 to 2026-12-31):", "• Won 0 / lost 1 = 0%, 0 CNY won"]


def test_source_quality_with_an_industry_cut(quarter):
    assert lines(quarter.reply("mike", "来源分析 本季度", at=TODAY)) == [
        "来源分析（East 团队，2026-10-01 至 2026-12-31）：",
        "• 展会：2 个，赢 2，转化 100%，平均金额 43万",  # (80万 + 6万) / 2
        "• 官网：2 个，赢 0，转化 0%，平均金额 25万",
        "• 转介绍：1 个，赢 0，转化 0%，平均金额 60万"]
    assert lines(quarter.reply("alice", "来源分析 本季度", at=TODAY)) == [
        "来源分析（我的，2026-10-01 至 2026-12-31）：",
        "• 官网：2 个，赢 0，转化 0%，平均金额 25万", "• 展会：1 个，赢 1，转化 100%，平均金额 80万"]
    assert lines(quarter.reply("dora", "来源分析 本季度", at=TODAY))[1] == \
        "• 展会：3 个，赢 2，转化 67%，平均金额 43万"  # CD-001's "1m" was written in English: USD, counted, not averaged
    assert lines(quarter.reply("mike", "来源分析 本季度 行业 零售", at=TODAY)) == [
        "来源分析（East 团队，2026-10-01 至 2026-12-31；筛选：行业 零售）：",
        "• 官网：1 个，赢 0，转化 0%，平均金额 20万"]


def test_lost_reasons_for_the_team_and_the_director(quarter):
    assert lines(quarter.reply("mike", "丢单分析 本季度", at=TODAY)) == [
        "丢单分析（East 团队，2026-10-01 至 2026-12-31）：",
        "• 输单 2 个", "  竞品低价 2（100%）", "• 竞品：金蝶 1，销售易 1"]
    assert lines(quarter.reply("dora", "丢单分析 本季度", at=TODAY)) == [
        "丢单分析（全公司，2026-10-01 至 2026-12-31）：",
        "• 输单 3 个", "  竞品低价 2（67%）", "  需求变更 1（33%）", "• 竞品：金蝶 1，销售易 1"]


def test_leaderboard_ranks_by_amount_won_and_a_rep_sees_only_their_own_line(quarter):
    assert lines(quarter.reply("mike", "排行 本季度", at=TODAY)) == [
        "排行（East 团队，2026-10-01 至 2026-12-31）：",
        "1. Alice：赢 1 单 80万，赢率 50%，平均周期 40 天，本期报备 3",
        "2. Bob：赢 1 单 6万，赢率 50%，平均周期 28 天，本期报备 2"]
    assert lines(quarter.reply("bob", "排行 本季度", at=TODAY)) == [
        "排行（我的，2026-10-01 至 2026-12-31）：",
        "1. Bob：赢 1 单 6万，赢率 50%，平均周期 28 天，本期报备 2"]
    board = lines(quarter.reply("dora", "leaderboard this quarter", at=TODAY))
    assert board[0] == "Leaderboard (everyone, 2026-10-01 to 2026-12-31):"
    assert [b.split(":")[0] for b in board[1:]] == ["1. Alice", "2. Bob", "3. Walt"]


def test_compliance_and_decision_chain_coverage_as_of_today(quarter):
    assert lines(quarter.reply("mike", "合规", at=TODAY)) == [
        "跟进合规（East 团队，今天 2026-12-04）：",
        "• 决策链覆盖率 1/2 = 50%（进行中商机已接触决策者）",  # SH-005's CEO; SH-006 has none
        # SH-005 entered 方案推进 11-30, cadence 3 days → due 12-03; untouched since its registration 11-10
        "• Bob：进行中 1，超期 1（≥3天 0，≥7天 0），最近更新 24 天前  ⛔ 7天未更新，主管需介入",
        "• Alice：进行中 1，超期 0（≥3天 0，≥7天 0），最近更新 2 天前"]
    assert lines(quarter.reply("alice", "合规", at=TODAY)) == [
        "跟进合规（我的，今天 2026-12-04）：", "• 决策链覆盖率 0/1 = 0%（进行中商机已接触决策者）",
        "• Alice：进行中 1，超期 0（≥3天 0，≥7天 0），最近更新 2 天前"]
    assert lines(quarter.reply("dora", "合规", at=TODAY))[1] == "• 决策链覆盖率 1/2 = 50%（进行中商机已接触决策者）"


def test_a_cut_that_names_nothing_known_is_refused_and_stray_words_are_said(quarter):
    assert quarter.reply("mike", "转化率 团队 North", at=TODAY) == "没有叫“North”的团队。现有团队：East、West"
    assert "不认识负责人“zed”" in quarter.reply("mike", "排行 负责人 zed", at=TODAY)
    reply = quarter.reply("mike", "赢率 本季度 大客户", at=TODAY)
    assert reply.startswith("赢率（East 团队") and reply.endswith(
        "（没看懂“大客户”，已忽略。例如：转化率 上季度 团队 East 来源 展会）")
    # a manager's cut of another team narrows to nothing: their scope is never widened
    assert lines(quarter.reply("mike", "转化率 本季度 团队 West", at=TODAY))[1] == \
        "• 商机转化率 0/0 = —（本期报备 0 个，至今赢单 0 个）"


def test_oppbot_report_prints_the_same_figures_as_text_json_and_csv(quarter, db_url, org_file):
    from tests.test_ops import oppbot
    base = ("report", "--config", org_file, "--today", "2026-12-04")
    text = oppbot(*base, "win_rate", "--period", "上季度", "--team", "East", db_url=db_url)  # as typed in chat
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[:2] == ["赢率（全公司，2026-07-01 至 2026-09-30；筛选：团队 East）：",
                                            "• 赢 0 / 输 0 = —，赢单金额 0元"]
    js = oppbot(*base, "leaderboard", "--period", "2026-Q4", "--as", "mike", "--format", "json", db_url=db_url)
    assert js.returncode == 0, js.stderr
    data = json.loads(js.stdout)
    assert data["period"] == {"key": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}
    assert data["figures"]["leaders"] == [
        {"owner": "alice", "registered": 3, "won": 1, "lost": 1, "won_amount": 800000, "win_rate": 0.5,
         "cycle_days": 40.0},
        {"owner": "bob", "registered": 2, "won": 1, "lost": 1, "won_amount": 60000, "win_rate": 0.5,
         "cycle_days": 28.0}]
    csv_ = oppbot(*base, "lost_reasons", "--period", "quarter", "--format", "csv", db_url=db_url)
    assert csv_.returncode == 0, csv_.stderr
    assert csv_.stdout.splitlines() == [
        "table,lost", "lost,3", "",
        "table,reason,count,share", "lost.reasons,competitor_price,2,0.6667", "lost.reasons,need_changed,1,0.3333", "",
        "table,competitor,count", "lost.competitors,金蝶,1", "lost.competitors,销售易,1"]
    bad = oppbot(*base, "conversion", "--period", "someday", db_url=db_url)
    assert bad.returncode == 2 and "not a period: 'someday'" in bad.stderr


def test_a_database_from_before_stays_knew_their_end_reads_the_same_after_the_upgrade(quarter, db_url):
    from tests.test_ops import oppbot
    before = quarter.reply("mike", "周期 本季度", at=TODAY), quarter.reply("mike", "转化率 本季度", at=TODAY)
    down = oppbot("db", "downgrade", "0006", db_url=db_url)  # drops stage_history.left_at and left_to
    assert down.returncode == 0, down.stderr
    up = oppbot("db", "upgrade", db_url=db_url)  # fills it in again from the history alone
    assert up.returncode == 0, up.stderr
    assert (quarter.reply("mike", "周期 本季度", at=TODAY), quarter.reply("mike", "转化率 本季度", at=TODAY)) == before
    assert "商机发现 15.6 天（5 次）" in before[0] and "需求确认 2/3 = 67%" in before[1]
