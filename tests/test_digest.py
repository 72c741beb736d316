"""The daily digest reaches the team's group chat once per working day at its time, with a funnel chart."""
from __future__ import annotations

import base64
import io

from PIL import Image


def digests(out, chat="#sales-east"):
    return [o for o in out if o["kind"] == "digest" and o["to"] == chat]


def test_the_daily_digest_once_a_working_day_with_a_readable_chart(bot, tmp_path):
    bot.reply("alice", "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 需求 CRM 预算 50万 预计 11月底成交",
              at="2026-11-02T10:00:00+08:00")
    bot.reply("bob", "报备 腾讯 联系人 赵六 需求 ERP", at="2026-11-02T10:30:00+08:00")  # a conflict
    bot.reply("alice", "报备 小米科技 联系人 雷军 CEO 需求 MES 预算 100万", at="2026-11-02T11:00:00+08:00")
    bot.reply("alice", "跟进 小米 电话，客户说要内部讨论", at="2026-11-02T14:00:00+08:00")
    bot.reply("bob", "报备 华为技术有限公司 联系人 张伟 需求 服务器 预算 200万", at="2026-11-02T15:00:00+08:00")
    bot.reply("bob", "赢单 华为 金额 180万", at="2026-11-02T16:00:00+08:00")
    assert digests(bot.tick("2026-11-02T17:00:00+08:00")) == []  # before 18:00
    [digest] = digests(bot.tick("2026-11-02T18:00:00+08:00"))
    assert digest["to"] == "#sales-east" and digest["at"] == "2026-11-02T18:00:00+08:00"
    text = digest["text"]
    assert text.startswith("【日报】East 团队 2026-11-02")
    assert "今日新报备 3 个" in text and "2026-SH-001 深圳市腾讯计算机系统有限公司 @alice" in text
    assert "今日撞单/疑似重复 1 次：bob → 腾讯（conflict，2026-SH-001）" in text
    assert "漏斗（East 团队，进行中 2 个）" in text
    assert "今日赢单：2026-SH-003 华为技术有限公司 180万" in text
    assert "高风险（周期延长信号）：2026-SH-002 小米科技（内部讨论）" in text
    assert "本月（2026-11-01 至 2026-11-30）：5万，1 个商机" in text  # 50万 × discovery 10%
    assert digests(bot.tick("2026-11-02T19:00:00+08:00")) == []  # once a day

    assert digest["image"].startswith("data:image/png;base64,")
    png = base64.b64decode(digest["image"].split(",", 1)[1])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 600 and 200 <= image.size[1] <= 800
    assert len(png) > 5_000  # text was drawn, not an empty canvas
    (tmp_path / "digest.png").write_bytes(png)


def test_no_digest_on_weekends_or_public_holidays(bot):
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at="2026-09-28T10:00:00+08:00")
    for day in ("2026-10-01", "2026-10-03", "2026-10-04", "2026-10-07"):  # National Day, and a weekend in it
        assert digests(bot.tick(f"{day}T18:30:00+08:00")) == [], day
    assert len(digests(bot.tick("2026-10-10T18:30:00+08:00"))) == 1  # the make-up Saturday is a working day
