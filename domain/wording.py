"""The text catalogue and the words for money and stages: pure, so chat replies and the scheduler's digest and
reminders say things the same way (ARCHITECTURE: wording sits below handlers and scheduler)."""
from __future__ import annotations

from decimal import Decimal

from domain.stages import STAGE_ZH

TEXT = {
    "empty": ("消息是空的。试试：帮助", "The message is empty. Try: help"),
    "too_long": ("消息太长（{n} 字），最多 {max} 字。请分几条发送。",
                 "The message is too long ({n} characters, at most {max}). Please split it."),
    "not_text": ("我只读得懂文字消息（这条是 {kind}）。请直接打字，例如：帮助",
                 "I can only read text messages (this one is {kind}). Please type it, e.g.: help"),
    "unknown_user": ("不认识你（{user}）。请让管理员把你加入 oppbot 配置。",
                     "I don't know you ({user}). Ask your admin to add you to the oppbot config."),
    "not_understood": ("没看懂这条消息。例如：报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM 替换；发送“帮助”查看全部命令。",
                       "I didn't understand that. For example: register Acme Corp, contact Jane Doe (CTO) jane@acme.com, need: data platform. Send \"help\" for all commands."),
    "missing_alias": ("请这样写：别名 腾讯 = Tencent", "Write it like: alias Tencent = 腾讯"),
    "missing_ref": ("缺少商机编号或客户名。例如：{example}", "Which opportunity? Give its ID or customer. For example: {example}"),
    "missing_content": ("缺少跟进内容。例如：{example}", "What happened? For example: {example}"),
    "ex_follow_up": ("跟进 2026-SH-007 电话沟通，客户确认预算，下一步：下周二现场演示",
                     "follow up 2026-SH-007 demo went well, next: send proposal Friday"),
    "ex_show": ("查看 2026-SH-007", "show 2026-SH-007"),
    "missing_customer": ("客户名称", "the customer (company) name"),
    "missing_detail": ("联系人、电话/邮箱或需求中的至少一项", "at least one of contact, phone/email or need"),
    "registered": ("已报备 {id}，保护期至 {until}。", "Registered {id}, protected until {until}."),
    "mine_exists": ("你已经报备过这个客户：{id}（{customer}）。请直接跟进：跟进 {id} …",
                    "You already own this customer: {id} ({customer}). Log a follow-up instead: follow up {id} …"),
    "conflict": ("撞单：该客户已由 {owner} 报备，保护期至 {until}。如需接手请联系主管。",
                 "Conflict: this customer is registered by {owner}, protected until {until}. Ask your manager if you need it."),
    "conflict_owner": ("{user} 尝试报备你的客户 {customer}（{id}），已被拦截。",
                       "{user} tried to register your customer {customer} ({id}); it was blocked."),
    "conflict_manager": ("撞单：{user} 尝试报备 {customer}，已由 {owner} 报备（{id}，保护期至 {until}；{reason}）。如需转给 {user}，等其申请后回复 同意 {id}（或 同意 {id} 共享）。",
                         "Conflict: {user} tried to register {customer}, owned by {owner} ({id}, protected until {until}; {reason}). If {user} asks to take it over, reply approve {id} (or approve {id} share)."),
    "possible_rep": ("⚠ 与已有商机相似，已标记为疑似重复，主管会确认。", "⚠ This looks like an existing registration: flagged as a possible duplicate for your manager to confirm."),
    "possible_manager": ("疑似重复：{rep} 报备 {id}（{customer}），与 {owner} 的 {other}（{other_customer}）相似（{reason}）。回复 同意 {id}（不是重复，保留）或 驳回 {id}（是重复，作废）。",
                         "Possible duplicate: {rep} registered {id} ({customer}), similar to {owner}'s {other} ({other_customer}; {reason}). Reply approve {id} (not a duplicate, keep it) or reject {id} (a duplicate, void it)."),
    "duplicate_dismissed": ("已确认 {id} 不是重复，标记已清除。", "{id} is not a duplicate: the flag is cleared."),
    "duplicate_dismissed_rep": ("{manager} 确认 {id} 不是重复，请继续跟进。", "{manager} confirmed {id} is not a duplicate; carry on."),
    "duplicate_confirmed": ("已确认 {id} 是重复报备，已作废。", "{id} is a duplicate registration: voided."),
    "duplicate_confirmed_rep": ("{manager} 确认 {id} 与 {other} 重复，已作废。", "{manager} found {id} duplicates {other}; it is voided."),
    "no_conflict": ("你最近没有被拦截的报备，无需申请。", "You have no blocked registration to ask about."),
    "override_sent": ("已向主管申请接手 {owner} 的客户，等待审批。", "Asked the managers to let you take over {owner}'s customer; waiting for their answer."),
    "override_manager": ("接手申请：{rep} 申请接手 {owner} 的 {id}（{customer}），理由：{note}。回复 同意 {id}（转给 {rep}）、同意 {id} 共享，或 驳回 {id}。",
                         "Override request: {rep} asks to take over {owner}'s {id} ({customer}); why: {note}. Reply approve {id} (hand it to {rep}), approve {id} share, or reject {id}."),
    "override_rejected": ("{manager} 驳回了你对 {id} 的接手申请。", "{manager} turned down your request for {id}."),
    "override_done_rejected": ("已驳回 {rep} 对 {id} 的接手申请。", "Turned down {rep}'s request for {id}."),
    "override_reassigned": ("{manager} 已将 {id} 从 {owner} 转给 {rep}。", "{manager} moved {id} from {owner} to {rep}."),
    "override_shared": ("{manager} 已让 {rep} 与 {owner} 共同跟进 {id}。", "{manager} shared {id}: {rep} now works it with {owner}."),
    "alias_added": ("已为 {customer} 添加别名“{alias}”，查重会一并比对。", "Added \"{alias}\" as another name of {customer}; duplicate checks use it."),
    "alias_known": ("“{alias}”已是 {customer} 的名称或别名。", "\"{alias}\" is already a name of {customer}."),
    "alias_empty": ("别名不能为空。例如：别名 腾讯 = Tencent", "The alias is empty. For example: alias Tencent = 腾讯"),
    "release_owner": ("{id}（{customer}）保护期已到，已释放到公海，其他同事可以认领。", "{id} ({customer}) reached the end of its protection and went to the public pool."),
    "release_group": ("公海新增：{id}（{customer}），回复“认领 {id}”即可接手。", "New in the public pool: {id} ({customer}). Reply \"claim {id}\" to take it."),
    "protection_warning": ("{id}（{customer}）的保护期将于 {until} 到期，跟进一次可延长 30 天。", "{id} ({customer}) stops being protected on {until}; a follow-up extends it by 30 days."),
    "unknown_opp": ("找不到你可以查看的商机“{ref}”。发送“我的商机”查看列表。",
                    "No opportunity \"{ref}\" that you can see. Send \"my opportunities\" for your list."),
    "ambiguous": ("“{ref}”对应多个商机：{ids}。请用编号。", "\"{ref}\" matches several opportunities: {ids}. Use the ID."),
    "followed_up": ("已记录跟进 {id}。", "Follow-up logged for {id}."),
    "contacts_added": ("新联系人：{names}", "New contacts: {names}"),
    "no_opps": ("你还没有进行中的商机。报备一个：报备 客户名 联系人 … 需求 …",
                "You have no open opportunities. Register one: register <company>, contact …, need: …"),
    "my_opps": ("你的商机（{n}）：", "Your opportunities ({n}):"),
    "team_head": ("团队商机 · {scope}：{n} 个进行中，{reps} 位负责人", "Team pipeline · {scope}: {n} open, {reps} owners"),
    "team_owner": ("@{owner}：{n} 个，预算合计 {total}", "@{owner}: {n} open, budget {total}"),
    "team_reps_own": ("团队商机由主管查看；这是你自己的：", "The team pipeline is for managers; here is yours:"),
    "reminder": ("跟进提醒：{id}（{customer}）应在 {due} 前跟进。回复：跟进 {id} …",
                 "Follow-up due: {id} ({customer}) by {due}. Reply: follow up {id} …"),
    "second_reminder": ("第二次提醒：{id}（{customer}）应在 {due} 跟进，已逾期 3 天。回复：跟进 {id} …，或 暂停 {id} 到 日期 原因 …",
                        "Second reminder: {id} ({customer}) was due {due}, 3 days ago. Reply: follow up {id} …, or snooze {id} until <date> because …"),
    "reminders_head": ("跟进提醒：你有 {n} 个商机到了跟进日。回复：跟进 ID …，或 暂停 ID 到 日期 原因 …",
                       "Follow-ups due: {n} of your opportunities. Reply: follow up ID …, or snooze ID until <date> because …"),
    "reminders_line": ("• {id} {customer} 应在 {due} 跟进", "• {id} {customer} due {due}"),
    "reminders_line_late": ("• {id} {customer} 应在 {due} 跟进，已逾期 {days} 天", "• {id} {customer} due {due}, {days} days ago"),
    "risks_head": ("⚠ 你有 {n} 个高风险商机（在阶段停留超过团队平均 1.5 倍）：", "⚠ {n} of your opportunities are high risk (over 1.5× the team's average time in stage):"),
    "risks_advice": ("{stage}建议：{action}", "At {stage}: {action}"),
    "escalation_head": ("僵尸商机提醒（{team} 团队，{n} 个逾期 7 天以上未跟进）：", "Stalled opportunities (team {team}: {n} not followed up for 7+ days past due):"),
    "escalation_line": ("• {id} {customer} @{owner} 逾期 {days} 天", "• {id} {customer} @{owner} {days} days overdue"),
    "escalation_more": ("…另有 {n} 个", "…and {n} more"),
    "dwell_risk": ("⚠ 高风险：{id}（{customer}）已在“{stage}”{days} 天，团队平均 {avg} 天。建议：{action}。",
                   "⚠ High risk: {id} ({customer}) has been at {stage} for {days} days; the team averages {avg}. Suggested: {action}."),
    "risk_head": ("高风险商机（{team} 团队，{n} 个在阶段停留超过团队平均 1.5 倍）：", "High-risk opportunities (team {team}: {n} over 1.5× the team's average time in stage):"),
    "risk_line": ("• {id} {customer} @{owner} {stage} {days} 天", "• {id} {customer} @{owner} {stage} {days} days"),
    "archive_reminder": ("请为 {id}（{customer}）做复盘（应在 {due} 前完成）：复盘 {id} 成功要点/输单原因、竞品、真实原因、我方不足",
                         "Please review {id} ({customer}), due {due}: review {id} <what worked, or why it was lost, the competitor, our weakness>"),
    "archive_escalation": ("{owner} 的 {id}（{customer}）已结单但未在 {due} 前复盘。", "{owner}'s {id} ({customer}) closed but was not reviewed by {due}."),
    "reviewed": ("已记录 {id} 的复盘。", "Review of {id} recorded."),
    "review_not_closed": ("{id} 还没有结单（赢单/输单）后才能复盘。", "{id} is not closed yet: review it after it is won or lost."),
    "snoozed": ("已暂停 {id} 的跟进提醒至 {until}（{reason}）。到期后恢复提醒；保护期至 {protected}。",
                "Reminders for {id} paused until {until} ({reason}); they resume then. Protected until {protected}."),
    "snooze_missing": ("暂停到哪天？例如：暂停 {id} 到 12月1日 原因 客户预算冻结", "Until when? For example: snooze {id} until Dec 1 because budget frozen"),
    "snooze_past": ("{until} 已经过去了，请给一个以后的日期。", "{until} has passed; give a later date."),
    "digest_head": ("【日报】{team} 团队 {day}", "Daily digest: team {team}, {day}"),
    "digest_new": ("今日新报备 {n} 个：", "New today ({n}): "),
    "digest_conflicts": ("今日撞单/疑似重复 {n} 次：", "Conflicts and possible duplicates today ({n}): "),
    "digest_conversion": ("阶段转化：", "Stage conversion: "),
    "digest_overdue": ("逾期未跟进：", "Overdue follow-ups: "),
    "digest_risk": ("高风险（周期延长信号）：", "High risk (cycle-extension signals): "),
    "digest_won": ("今日赢单：", "Won today: "),
    "digest_lost": ("今日输单：", "Lost today: "),
    "digest_pending": ("待审核报备：", "Registrations awaiting review: "),
    "digest_snoozed": ("暂停提醒中：", "Snoozed: "),
    "digest_chart": ("{team} 销售漏斗 {day}", "{team} funnel {day}"),
    "error": ("出错了，这条消息没有保存任何内容。请稍后再试。", "Something went wrong; nothing was saved. Please try again."),
    "busy": ("系统繁忙，这条消息还没有保存。平台会自动重发；若一分钟后仍没有回复，请稍后再试。",
             "The bot is busy and has not saved this message yet. It will be retried automatically; "
             "if there is no answer within a minute, please try again in a minute."),
    "help": (
        "我能做的：\n"
        "• 报备 客户 联系人 姓名 职位 电话 需求 … 预算 50万 预计 12月底成交 来源 展会\n"
        "• 跟进 2026-SH-007 电话沟通，…，下一步：下周二现场演示\n"
        "• 推进 2026-SH-007 到 方案推进（缺项会追问；主管可加“跳过”）· 退回 ID 到 需求确认 原因 …\n"
        "• 赢单 ID 金额 48万 · 输单 ID 原因 竞品低价 竞品 销售易 · 无效 ID\n"
        "• 修改 ID 预算 60万 · ID 预计成交改到1月15日 · 修改 ID 客户/行业/来源/需求/币种 … · 历史 ID\n"
        "• 联系人 ID 张伟 CFO 13700001111 决策者（添加或更正，角色：决策者/影响者/使用者）· ID 预算已获批\n"
        "• 评分 ID 功能匹配 8 系统集成 6 …（需求确认单 10 项，每项 0–10）\n"
        "• 查看 ID · 我的商机 · 团队商机（主管）· 本周到期 · 漏斗 · 预测 本季度 · 认领 ID\n"
        "• 转化率 · 周期 · 赢率 · 来源分析 · 丢单分析 · 排行 · 合规（可加 本月/上季度/2026年Q3，团队/行业/来源/负责人 …）· 看板（数据看板链接）\n"
        "• 申请支持 ID 售前 方案演示 11月20日前 · 售前/客户成功：接受 ID / 拒绝 ID 原因 … · 评价 ID 9\n"
        "• 主管：同意 ID / 驳回 ID 原因 …\n"
        "• 取消（放弃正在填写的报备）· 帮助",
        "What I can do:\n"
        "• register <company>, contact <name> (<title>) <phone/email>, need: …, budget $120k, close by end of Q1\n"
        "• follow up 2026-SH-007 <what happened>, next: <action> <date>\n"
        "• advance ID to proposal (a missing field is asked for; a manager may add \"skip\") · back ID to qualification because …\n"
        "• won ID amount 480k · lost ID reason price competitor X · invalid ID\n"
        "• edit ID budget 80k · change ID close date to Feb 1 · edit ID customer/industry/source/need/currency … · history ID\n"
        "• contact ID Lisa Wong (Head of Data) lisa@acme.com influencer (add or correct; decision maker/influencer/user) · ID budget approved\n"
        "• score ID features 8 integration 6 … (the 10 need-fit items, 0–10 each)\n"
        "• show ID · my pipeline · team pipeline (managers) · due this week · funnel · forecast this quarter · claim ID\n"
        "• conversion · cycle · win rate · sources · lost reasons · leaderboard · compliance (add this month / last quarter / 2026-Q3, team/industry/source/owner …) · dashboard (a link)\n"
        "• request support ID presales demo by Nov 20 · presales/cs: accept ID / reject ID <reason> · rate support ID 9\n"
        "• managers: approve ID / reject ID <reason>\n"
        "• cancel (drop the registration you are filling in) · help",
    ),
    "ask_more": ("还差{missing}。请直接回复，例如：{example}（30 分钟内有效，回复“取消”放弃）",
                 "Still needed: {missing}. Just reply, e.g.: {example} (kept for 30 minutes; say \"cancel\" to drop it)"),
    "ex_customer": ("深圳市腾讯计算机系统有限公司", "Acme Corp"),
    "ex_detail": ("王磊 技术总监 13800138000，或 需求 CRM 系统替换", "Jane Doe (CTO) jane@acme.com, or need: data platform"),
    "unread": ("没看懂{field}“{text}”，未记录。例如：{example}", "Couldn't read the {field} \"{text}\"; not recorded. For example: {example}"),
    "unread_budget": ("预算", "budget"), "unread_close": ("预计成交日期", "close date"),
    "ex_unread_budget": ("预算 50万", "budget $120k"), "ex_unread_close": ("预计 12月底成交", "close by Dec 20"),
    "draft_title": ("报备草稿", "Draft registration"),
    "confirm_customer": ("客户是「{customer}」吗？回复 是，或直接发正确的客户名（30 分钟内有效，回复“取消”放弃）",
                         'Is the customer "{customer}"? Reply yes, or send the right name (within 30 minutes; '
                         '"cancel" drops it)'),
    "cancelled": ("已取消报备草稿{customer}。", "Dropped the draft registration{customer}."),
    "nothing_to_cancel": ("没有正在填写的内容。", "Nothing to cancel."),
    "draft_dropped": ("（之前的报备草稿已放弃）", "(The draft registration was dropped.)"),
    "not_open": ("{id} 已是“{status}”状态，不能再{action}。", "{id} is {status}; it can't be {action}."),
    "no_permission": ("你没有权限{action} {id}。", "You may not {action} {id}."),
    "stage_backwards": ("{id} 已在“{stage}”，推进只能向后。要退回请说：退回 {id} 到 需求确认 原因 …",
                        "{id} is already at {stage}; advancing only moves forward. To move it back: back {id} to "
                        "qualification because …"),
    "stage_last": ("{id} 已在最后一个阶段，请用“赢单”或“输单”结束。", "{id} is at the last stage; close it with won or lost."),
    "stage_missing": ("还不能推进 {id} 到“{stage}”：缺少{missing}。", "Can't advance {id} to {stage} yet: missing {missing}."),
    "gate_stopped": ("（跳级推进在“{stage}”这一关停下）", " (the jump stopped at the {stage} gate)"),
    "gate_ask": ("直接回复补上即可，例如：{example}（30 分钟内有效，回复“取消”放弃）",
                 "Just reply with it, e.g.: {example} (kept for 30 minutes; \"cancel\" drops it)"),
    "ex_gate_industry": ("行业 物流", "industry logistics"), "ex_gate_budget": ("预算 30万", "budget 300k"),
    "ex_gate_expected_close": ("预计成交 12月底", "close by end of Dec"),
    "ex_gate_contact": ("联系人 李娜 采购经理 13900001111", "contact Jane Doe (Procurement Manager)"),
    "ex_gate_decision_maker": ("王总 总经理 13911112222", "John Smith, CEO"),
    "gate_cancelled": ("已取消推进 {id}。", "Dropped advancing {id}."),
    "stage_skipped": ("{id} 已由 {manager} 跳级推进到“{stage}”（跳过：{gates}）。",
                      "{id} moved to {stage} by {manager}, skipping {gates}."),
    "back_missing_reason": ("请说明退回原因，例如：退回 {id} 到 {stage} 原因 客户预算冻结",
                            "Why? For example: back {id} to {stage} because the budget was frozen"),
    "back_forward": ("{id} 在“{stage}”，退回只能向前一阶段或更早。", "{id} is at {stage}; it can only move back to an earlier stage."),
    "back_first": ("{id} 已在第一个阶段。", "{id} is already at the first stage."),
    "moved_back": ("{id} 已退回到“{stage}”，原因：{reason}。", "{id} moved back to {stage} because {reason}."),
    "moved_back_rep": ("{manager} 把 {id} 退回到“{stage}”，原因：{reason}。", "{manager} moved {id} back to {stage} because {reason}."),
    "stage_refused": ("健康度 {score} 分，低于 60，暂不能推进 {id}。可以补充：{hints}",
                      "Health score {score} is below 60, so {id} can't advance yet. What would help: {hints}"),
    "stage_sent": ("健康度 {score} 分（60–80），已提交主管 {manager} 审批推进到“{stage}”。",
                   "Health score {score} (60–80): sent to {manager} to approve moving to {stage}."),
    "stage_done": ("{id} 已推进到“{stage}”（健康度 {score}）。", "{id} advanced to {stage} (health score {score})."),
    "approval_request": ("审批：{rep} 申请把 {id}（{customer}）推进到“{stage}”，健康度 {breakdown}。回复：同意 {id} 或 驳回 {id} 原因 …",
                         "Approval: {rep} asks to move {id} ({customer}) to {stage}, health score {breakdown}. Reply: approve {id} or reject {id} <reason>"),
    "nothing_pending": ("{id} 没有等待你审批的申请。", "Nothing on {id} is waiting for your approval."),
    "approved": ("已同意：{id} 推进到“{stage}”。", "Approved: {id} moves to {stage}."),
    "rejected": ("已驳回 {id} 的推进申请。", "Rejected the request on {id}."),
    "approved_rep": ("{manager} 同意了 {id} 推进到“{stage}”。", "{manager} approved moving {id} to {stage}."),
    "rejected_rep": ("{manager} 驳回了 {id} 的推进申请{note}。", "{manager} rejected moving {id}{note}."),
    "won_missing": ("请告诉我赢单金额，例如：赢单 {id} 金额 48万", "What was the final amount? For example: won {id} amount 480k"),
    "won": ("恭喜！{id} 赢单 {amount}，成交日期 {day}。请在 7 个工作日内完成复盘（成功要点）。",
            "Congratulations! {id} won at {amount}, closed {day}. Please write the review (success points) within 7 working days."),
    "lost_missing": ("请告诉我输单原因（竞品低价 / 需求变更 / 决策人更换 / 资源不足 / 其他），例如：输单 {id} 原因 竞品低价 竞品 销售易",
                     "Why was it lost (competitor price / need changed / decision maker changed / internal resources / other)? For example: lost {id} reason price competitor Acme"),
    "lost": ("已记录输单 {id}：{reason}{competitor}。主管会收到输单复盘提醒。", "Recorded {id} as lost: {reason}{competitor}. Your manager will be asked to review it."),
    "lost_manager": ("输单复盘：{rep} 的 {id}（{customer}）输单，原因 {reason}{competitor}。", "Lost-deal review: {rep}'s {id} ({customer}) was lost: {reason}{competitor}."),
    "invalid": ("已将 {id} 标为无效{reason}。", "Marked {id} invalid{reason}."),
    "not_public": ("{id} 不在公海中，不能认领（负责人 {owner}）。", "{id} is not in the public pool, so it can't be claimed (owner: {owner})."),
    "claimed": ("已认领 {id}（{customer}），保护期至 {until}。", "You claimed {id} ({customer}); protected until {until}."),
    "claim_cooldown": ("你刚释放了 {id}，{until} 之后才能重新认领。", "You released {id} recently; you can claim it again after {until}."),
    "due_none": ("本周没有到期的跟进。", "No follow-ups due this week."),
    "due_head": ("本周到期的跟进（截至 {end}）：", "Follow-ups due this week (through {end}):"),
    "funnel_head": ("漏斗（{scope}，进行中 {n} 个）：", "Funnel ({scope}, {n} open):"),
    "funnel_none": ("漏斗是空的：还没有进行中的商机。", "The funnel is empty: no open opportunities."),
    "forecast_head": ("加权预测（Σ 金额 × 阶段赢率，{scope}）：", "Weighted forecast (Σ amount × stage win %, {scope}):"),
    "forecast_line": ("{period}（{start} 至 {end}）：{amount}，{n} 个商机", "{period} ({start} to {end}): {amount} from {n} opportunities"),
    "forecast_target": ("；已赢单 {won}，目标 {target}，预计达成 {reach}", "; {won} won, target {target}, expected attainment {reach}"),
    "forecast_learned": ("；按团队历史赢率 {amount}", "; {amount} with the team's own win rates"),
    "forecast_odds": ("历史赢率（已关闭商机）：{odds}", "Win rates of closed deals: {odds}"),
    "odds_learned": ("{stage} {pct}（{n} 单；默认 {default}%）", "{stage} {pct} ({n} closed; default {default}%)"),
    "odds_default": ("{stage} 用默认 {default}%（{n} 单，满 {min} 单才用历史）", "{stage} default {default}% ({n} closed; history from {min})"),
    "scope_own": ("我的", "mine"), "scope_team": ("{team} 团队", "team {team}"), "scope_all": ("全公司", "everyone"),
    "edited": ("已修改 {id}：{changes}", "Updated {id}: {changes}"),
    "edit_same": ("{id} 的{field}已经是 {value}，没有改动。", "{id}'s {field} is already {value}; nothing changed."),
    "edit_unread": ("没看懂新的{field}“{raw}”，{id} 没有改动。例如：{example}",
                    "Couldn't read the new {field} \"{raw}\"; {id} is unchanged. For example: {example}"),
    "edit_which": ("要修改 {id} 的哪一项？例如：修改 {id} 预算 60万 / 修改 {id} 预计成交 1月15日 / 修改 {id} 行业 物流。"
                   "可改：客户、联系人、预算、币种、预计成交、来源、行业、需求",
                   "Which field of {id}? For example: edit {id} budget 80k / change {id} close date to Feb 1 / "
                   "edit {id} industry logistics. Fields: customer, contact, budget, currency, close date, source, "
                   "industry, need"),
    "edit_closed_customer": ("{id} 已{status}，客户名不能再改。", "{id} is {status}; its customer can no longer change."),
    "ex_edit_budget": ("修改 {id} 预算 60万", "edit {id} budget 80k"),
    "ex_edit_expected_close": ("修改 {id} 预计成交 1月15日", "change {id} close date to Feb 1"),
    "ex_edit_source": ("修改 {id} 来源 展会", "edit {id} source exhibition"),
    "ex_edit_currency": ("修改 {id} 币种 美元", "edit {id} currency USD"),
    "ex_edit_other": ("修改 {id} 行业 物流", "edit {id} industry logistics"),
    "contact_added": ("已为 {id} 添加联系人 {contact}。{chain}", "Added {contact} to {id}. {chain}"),
    "contact_updated": ("已更新 {id} 的联系人 {name}：{changes}。{chain}", "Updated {name} on {id}: {changes}. {chain}"),
    "contact_same": ("{id} 的联系人 {name} 没有改动。", "Nothing changed for {name} on {id}."),
    "missing_contact": ("请写上联系人的姓名，例如：联系人 2026-SH-001 张伟 CFO 13700001111 决策者",
                        "Who is it? For example: contact 2026-SH-001 Lisa Wong (Head of Data) lisa@acme.com influencer"),
    "chain": ("决策链：{have}{missing}。健康度 {score}。", "Decision chain: {have}{missing}. Health score {score}."),
    "chain_missing": ("；还缺{roles}", "; still missing: {roles}"),
    "rated": ("已为 {id} 评分：{items}。需求匹配 {average}/10（{n}/{of} 项已评），健康度 {before} → {after}。",
              "Rated {id}: {items}. Need fit {average}/10 ({n} of {of} items rated), health score {before} → {after}."),
    "rate_which": ("没认出这些评分项：{unknown}。可评：{items}（每项 0–10），例如：评分 {id} 功能匹配 8 系统集成 6",
                   "These are not need-fit items: {unknown}. Items: {items} (0–10 each), e.g.: score {id} features 8 "
                   "integration 6"),
    "priority_alert": ("资源优先级：{id}（{customer}，负责人 {owner}）健康度 {score}，金额 {amount}。承诺：售前 48 小时内支持；"
                       "销售总监 {due} 前（7 个工作日内）参加一次客户会议（跟进里记一笔 会议/拜访 即可）。",
                       "Resource priority: {id} ({customer}, owner {owner}) scores {score} at {amount}. Commitments: "
                       "presales support within 48 hours; a director's customer meeting by {due} (7 working days; log it "
                       "as a meeting or visit follow-up)."),
    "priority_reminder": ("提醒：{id}（{customer}）进入资源优先级已 7 个工作日，还没有记录销售总监参加的客户会议。",
                          "Reminder: {id} ({customer}) has been a resource priority for 7 working days and no director "
                          "meeting with the customer is logged yet."),
    "loss_ask": ("丢单分析表还差：{missing}。直接回复，例如：{example}（30 分钟内有效）",
                 "The lost-deal analysis still needs: {missing}. Just reply, e.g.: {example} (within 30 minutes)"),
    "loss_competitor": ("竞品", "the competitor"), "loss_real_reason": ("客户真实原因", "the customer's real reason"),
    "loss_weakness": ("我方短板", "our weakness"),
    "ex_loss": ("竞品 销售易；真实原因 报价高出两成；我方短板 没有本地实施团队",
                "competitor Acme; real reason our quote was 20% higher; weakness no local implementation team"),
    "loss_recorded": ("已记录 {id} 的丢单分析。", "Recorded the lost-deal analysis of {id}."),
    "report_head": ("商机生命周期报告 {id}（{customer}）：{status}", "Lifecycle report {id} ({customer}): {status}"),
    "report_stage": ("• {stage}：{start} → {end}（{days} 天）{score}", "• {stage}: {start} → {end} ({days} days){score}"),
    "report_score": ("，推进时健康度 {score}", ", health score {score} when advanced"),
    "report_follow_ups": ("跟进 {n} 次；接触：{contacts}", "{n} follow-ups; reached: {contacts}"),
    "report_loss": ("丢单分析：原因 {reason}；竞品 {competitor}；客户真实原因 {real}；我方短板 {weakness}",
                    "Lost: reason {reason}; competitor {competitor}; real reason {real}; our weakness {weakness}"),
    "report_review": ("复盘：{text}", "Review: {text}"),
    "registered_pending": ("已报备 {id}，待主管 {manager} 审核；审核期间客户已为你保留，通过后保护期至 {until}。",
                           "Registered {id}; waiting for {manager} to review it. The customer is held for you meanwhile; "
                           "protected until {until} once approved."),
    "review_request": ("报备审核：{rep} 报备了 {id}（{customer}）。回复：同意 {id} 或 驳回 {id} 原因 …",
                       "Registration review: {rep} registered {id} ({customer}). Reply: approve {id} or reject {id} <reason>"),
    "registration_approved": ("已通过 {id} 的报备。", "Approved the registration {id}."),
    "registration_rejected": ("已驳回 {id} 的报备{note}。", "Rejected the registration {id}{note}."),
    "registration_approved_rep": ("{manager} 通过了你的报备 {id}，保护期至 {until}。",
                                  "{manager} approved your registration {id}; protected until {until}."),
    "registration_rejected_rep": ("{manager} 驳回了你的报备 {id}{note}。", "{manager} rejected your registration {id}{note}."),
    "support_team_presales": ("售前", "presales"), "support_team_cs": ("客户成功", "customer success"),
    "support_which": ("请说明要哪个团队支持，例如：申请支持 {id} 售前 方案演示 11月20日前（售前 / 客户成功）",
                      "Which team? For example: request support {id} presales demo by Nov 20 (presales / cs)"),
    "support_nobody": ("配置里没有{team}人员，无法发出申请。请联系管理员。", "No {team} people are in the config; ask your admin."),
    "support_sent": ("已向{team}（{names}）申请支持 {id}：{what}{by}。他们会在 24 小时内答复。",
                     "Asked {team} ({names}) to support {id}: {what}{by}. They answer within 24 hours."),
    "support_by": ("，{day} 前", ", by {day}"),
    "support_request": ("支持申请：{rep} 请{team}支持 {id}（{customer}）：{what}{by}。回复：接受 {id} 或 拒绝 {id} 原因 …（24 小时内）",
                        "Support request: {rep} asks {team} to support {id} ({customer}): {what}{by}. Reply: accept {id} "
                        "or reject {id} <reason> (within 24 hours)"),
    "support_none": ("{id} 没有等待你答复的支持申请。", "Nothing on {id} is waiting for your answer."),
    "support_accepted": ("已接受 {id} 的支持申请。完成后请评价：评价 {id} 9", "Accepted the support request on {id}. "
                         "When done, rate it: rate support {id} 9"),
    "support_accepted_rep": ("{who}（{team}）接受了 {id} 的支持申请。完成后请评价：评价 {id} 9",
                             "{who} ({team}) accepted supporting {id}. When done, rate it: rate support {id} 9"),
    "support_reason": ("拒绝需要说明原因，例如：拒绝 {id} 原因 本周排期已满", "Please give a reason, e.g.: reject {id} fully booked this week"),
    "support_refused": ("已拒绝 {id} 的支持申请，原因已转销售总监。", "Declined supporting {id}; the reason goes to the director."),
    "support_refused_rep": ("{who}（{team}）拒绝了 {id} 的支持申请：{reason}。", "{who} ({team}) declined supporting {id}: {reason}."),
    "support_refused_director": ("支持被拒：{who}（{team}）拒绝了 {rep} 对 {id}（{customer}）的申请：{reason}。",
                                 "Support declined: {who} ({team}) declined {rep}'s request on {id} ({customer}): {reason}."),
    "support_remind": ("提醒：{rep} 对 {id}（{customer}）的{team}支持申请已超过 24 小时未答复。回复：接受 {id} 或 拒绝 {id} 原因 …",
                       "Reminder: {rep}'s {team} support request on {id} ({customer}) has waited 24 hours. Reply: accept {id} or reject {id} <reason>"),
    "support_escalate": ("{team}超过 48 小时未答复 {rep} 对 {id}（{customer}）的支持申请。",
                         "{team} has not answered {rep}'s support request on {id} ({customer}) in 48 hours."),
    "rate_missing": ("请给 0–10 分，例如：评价 {id} 9", "Give a score from 0 to 10, e.g.: rate support {id} 9"),
    "rate_nothing": ("{id} 没有已接受、待你评价的支持。", "Nothing accepted on {id} is waiting for your rating."),
    "rated_support": ("已记录评价 {id}：{rating} 分。", "Recorded your rating for {id}: {rating}."),
    "support_flag": ("协作预警：{team}连续两次协作评分低于 8 分（{ids}），需整改。",
                     "Collaboration warning: {team} was rated below 8 twice in a row ({ids})."),
    "history_head": ("{id}（{customer}）的变更记录：", "History of {id} ({customer}):"),
    "history_more": ("……更早的 {n} 条未显示", "… {n} earlier entries not shown"),
    # metrics (storage/reports/texts.py)
    "m_span": ("{scope}，{start} 至 {end}", "{scope}, {start} to {end}"),
    "m_filters": ("筛选：{what}", "filtered: {what}"),
    "m_bad_period": ("没看懂这个时间段。例如：{example}", "That is not a period I know. For example: {example}"),
    "ex_metric": ("转化率 上季度 团队 East 来源 展会", "conversion last quarter team East source exhibition"),
    "m_unread": ("（没看懂“{text}”，已忽略。例如：{example}）", "(Couldn't read \"{text}\"; ignored. For example: {example})"),
    "m_no_team": ("没有叫“{team}”的团队。现有团队：{teams}", "There is no team called \"{team}\". Teams: {teams}"),
    "m_no_owner": ("不认识负责人“{owner}”。请写用户 ID 或姓名，例如：排行 负责人 alice",
                   "I don't know the owner \"{owner}\". Give a user ID or name, e.g.: leaderboard owner alice"),
    "m_nothing": ("• 没有数据", "• nothing yet"),
    "m_conversion": ("转化率", "Conversion"), "m_cycle": ("成交周期", "Sales cycle"), "m_win_rate": ("赢率", "Win rate"),
    "m_sources": ("来源分析", "Source quality"), "m_lost_reasons": ("丢单分析", "Lost reasons"),
    "m_leaderboard": ("排行", "Leaderboard"), "m_compliance": ("跟进合规", "Follow-up compliance"),
    "m_head": ("{title}（{span}）：", "{title} ({span}):"),
    "m_conv_line": ("• 商机转化率 {won}/{n} = {rate}（本期报备 {n} 个，至今赢单 {won} 个）",
                    "• Conversion {won}/{n} = {rate} ({n} registered in the period, {won} won so far)"),
    "m_high_line": ("• 高价值商机占比 {k}/{n} = {rate}（金额 > 50万）", "• High-value share {k}/{n} = {rate} (amount > 500,000)"),
    "m_steps_head": ("• 各阶段转化（本期进入该阶段 → 推进到后续阶段或赢单）：",
                     "• Stage conversion (entered in the period → reached a later stage or won):"),
    "m_step": ("  {stage} {moved}/{entered} = {rate}", "  {stage} {moved}/{entered} = {rate}"),
    "m_cycle_line": ("• 本期赢单 {n} 个，平均成交周期 {days}（报备 → 赢单）", "• {n} won in the period, average cycle {days} (registration → won)"),
    "m_days_head": ("• 各阶段平均停留（本期结束的停留）：", "• Average days in each stage (stays that ended in the period):"),
    "m_days": ("  {stage} {days}（{n} 次）", "  {stage} {days} ({n} stays)"),
    "m_day_unit": ("{d} 天", "{d} days"),
    "m_win_line": ("• 赢 {won} / 输 {lost} = {rate}，赢单金额 {amount}", "• Won {won} / lost {lost} = {rate}, {amount} won"),
    "m_band": ("  {band}：赢 {won} 输 {lost} = {rate}", "  {band}: won {won} lost {lost} = {rate}"),
    "band_small": ("< 10万", "< 100k"), "band_mid": ("10万–50万", "100k–500k"), "band_large": ("> 50万", "> 500k"),
    "m_source": ("• {source}：{n} 个，赢 {won}，转化 {rate}，平均金额 {avg}", "• {source}: {n} registered, {won} won, {rate} converted, average {avg}"),
    "m_lost_total": ("• 输单 {n} 个", "• {n} lost"), "m_reason": ("  {reason} {n}（{share}）", "  {reason} {n} ({share})"),
    "m_rivals": ("• 竞品：{who}", "• Competitors: {who}"),
    "m_leader": ("{rank}. {name}：赢 {won} 单 {amount}，赢率 {rate}，平均周期 {days}，本期报备 {n}",
                 "{rank}. {name}: {won} won for {amount}, win rate {rate}, cycle {days}, {n} registered"),
    "m_coverage": ("• 决策链覆盖率 {k}/{n} = {rate}（进行中商机已接触决策者）",
                   "• Decision-chain coverage {k}/{n} = {rate} (open opportunities with a decision maker reached)"),
    "m_rep": ("• {name}：进行中 {open}，超期 {late}（≥3天 {o3}，≥7天 {o7}），最近更新 {idle}{flag}",
              "• {name}: {open} open, {late} overdue ({o3} ≥3 days, {o7} ≥7 days), last update {idle}{flag}"),
    "m_idle": ("{d} 天前", "{d} days ago"), "m_idle_today": ("今天", "today"),
    "m_flag_3": ("  ⚠ 3天未更新", "  ⚠ 3 days without an update"), "m_flag_7": ("  ⛔ 7天未更新，主管需介入", "  ⛔ 7 days without an update: manager to step in"),
    "m_as_of": ("今天 {day}", "as of {day}"),
    # the Monday pack and the month report (storage/reports/packs.py)
    "pack_head": ("周一简报（{scope}，上周 {start} 至 {end}）", "Monday pack ({scope}, last week {start} to {end})"),
    "pack_risk": ("高风险商机 {n} 个：", "{n} high-risk opportunities:"),
    "pack_no_risk": ("高风险商机：无", "High-risk opportunities: none"),
    "pack_risk_line": ("• {id} {customer} @{owner} {stage} 已停留 {days} 天", "• {id} {customer} @{owner} {stage}, {days} days in the stage"),
    "month_head": ("月度报告（{scope}，{month}）", "Month report ({scope}, {month})"),
    "month_no_wins": ("本月最佳商机：本月没有赢单", "Best opportunity: no wins this month"),
    "month_best": ("本月最佳商机：{id} {customer}（{owner}）赢单 {amount}，周期 {days} 天（本月赢单平均 {avg} 天）",
                   "Best opportunity: {id} {customer} ({owner}), won {amount} in {days} days (the month's wins averaged {avg})"),
    "month_star": ("商机管理之星：{name}（赢率 {rate}，平均周期 {days}，协作评分 {help}，赢单 {amount}）",
                   "Rep of the month: {name} (win rate {rate}, cycle {days}, collaboration {help}, {amount} won)"),
    "month_accuracy": ("预测准确度（月底前 {days} 天的预测 vs 实际赢单，目标 ±5%）：",
                       "Forecast accuracy (the forecast {days} days before the month ended vs what was won; goal ±5%):"),
    "month_accuracy_line": ("• {team}：{day} 预测 {forecast}，实际 {actual}，误差 {error}；此前：{trend}",
                            "• {team}: forecast on {day} {forecast}, won {actual}, error {error}; before: {trend}"),
    # the dashboard (数据看板)
    "d_title": ("数据看板", "Dashboard"), "d_made": ("生成于 {at}，链接 {until} 前有效", "made {at}; the link works until {until}"),
    "d_period": ("时间", "Period"), "d_team": ("团队", "Team"), "d_industry": ("行业", "Industry"),
    "d_source": ("来源", "Source"), "d_all": ("全部", "all"), "d_apply": ("筛选", "Apply"),
    "d_registered": ("本期报备", "Registered"), "d_conversion": ("商机转化率", "Conversion"),
    "d_win_rate": ("赢率", "Win rate"), "d_cycle": ("平均成交周期", "Average cycle"), "d_won": ("赢单金额", "Won"),
    "d_high": ("高价值占比", "High-value share"), "d_coverage": ("决策链覆盖率", "Decision-chain coverage"),
    "d_funnel": ("漏斗（进行中）", "Funnel (open)"), "d_steps": ("各阶段转化", "Stage conversion"),
    "d_days": ("各阶段平均停留", "Average days in stage"), "d_forecast": ("预测与目标", "Forecast against target"),
    "d_f_period": ("期间", "Period"), "d_f_won": ("已赢单", "Won"), "d_f_weighted": ("加权预测", "Weighted forecast"),
    "d_f_target": ("目标", "Target"), "d_f_expected": ("已赢单 + 加权预测", "Won + weighted"), "d_f_reach": ("预计达成", "Expected attainment"),
    "d_overdue": ("超期未跟进", "Overdue follow-ups"), "d_risk": ("高风险商机", "High-risk opportunities"),
    "d_reps": ("销售明细", "Per rep"), "d_sources": ("来源质量", "Source quality"), "d_lost": ("丢单原因", "Lost reasons"),
    "d_id": ("编号", "ID"), "d_customer": ("客户", "Customer"), "d_owner": ("负责人", "Owner"), "d_stage": ("阶段", "Stage"),
    "d_due": ("应跟进", "Due"), "d_late": ("超期天数", "Days late"), "d_open": ("进行中", "Open"),
    "d_over7": ("≥7天", "≥7 days"), "d_idle": ("未更新天数", "Days idle"), "d_count": ("数量", "Count"),
    "d_amount": ("金额", "Amount"), "d_avg": ("平均金额", "Average amount"), "d_share": ("占比", "Share"),
    "d_stays": ("次", "stays"), "d_none": ("无", "none"), "d_since": ("停留天数", "Days in stage"),
    "d_forbidden": ("链接无效或已过期。请在聊天中重新发送“看板”获取新链接。",
                    "This link is invalid or has expired. Send \"dashboard\" in chat for a new one."),
    "dashboard_sent": ("看板链接已私信发给你（它能看到你权限内的全部商机，不在群里发）。",
                       "I've sent you the dashboard link in a direct message (it shows everything you may see, so not here)."),
    "dashboard_link": ("你的数据看板（{scope}）：{url}\n链接 {minutes} 分钟内有效，只显示你有权看到的商机。",
                       "Your dashboard ({scope}): {url}\nThe link works for {minutes} minutes and shows only what you may see."),
    "period_week": ("本周", "This week"), "period_last_week": ("上周", "Last week"),
    "period_last_month": ("上月", "Last month"), "period_last_quarter": ("上季度", "Last quarter"),
    "period_last_year": ("去年", "Last year"), "period_all": ("全部", "All time"),
    "period_month": ("本月", "This month"), "period_quarter": ("本季度", "This quarter"), "period_year": ("今年", "This year"),
}


def say(key: str, lang: str, **values) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def money(value: Decimal | None, currency: str | None, lang: str) -> str | None:
    if value is None:
        return None
    if lang == "zh" and currency in (None, "CNY"):
        return f"{float(value) / 10000:g}万" if value >= 10000 else f"{value:,.0f}元"
    return f"{value:,.0f} {currency or 'CNY'}"


def stage_name(stage: str, lang: str) -> str:
    return STAGE_ZH.get(stage, stage) if lang == "zh" else stage


SOURCE_NAMES = {"website": "官网", "exhibition": "展会", "referral": "转介绍", "wechat": "微信", "phone": "电话",
                "ad": "广告", "partner": "合作伙伴", "other": "其他"}
LOST_REASON_NAMES = {"competitor_price": ("竞品低价", "competitor price"), "need_changed": ("需求变更", "need changed"),
                     "decision_maker_changed": ("决策人更换", "decision maker changed"),
                     "internal_resources": ("资源不足", "internal resources"), "other": ("其他", "other")}


def named(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    zh, en = table.get(key, (key, key))
    return (zh if lang == "zh" else en) or ""


def source_name(source: str | None, lang: str) -> str:
    return (SOURCE_NAMES.get(source, source) if lang == "zh" else source) or ("未填" if lang == "zh" else "not given")
