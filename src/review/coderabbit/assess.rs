//! From a pull request's conversation to a verdict on one head commit: CodeRabbit reviewed it
//! (its findings, counts and walkthrough), said it would not (a notice), or has not yet.

use super::activity::{is_bot, Activity, IssueComment, ReviewComment};
use super::inline;
use super::notice::{is_command, is_command_reply, notice_in, Notice};
use super::review_body::{self, SectionKind};
use super::walkthrough::{self, Walkthrough};
use crate::artifacts::{FindingCategory, Review, ReviewFinding, ReviewSource, ReviewStatus};
use crate::review::counts;

#[derive(Debug, Clone, PartialEq)]
pub enum Assessment {
    Reviewed(Box<Review>),
    /// CodeRabbit said no real review will come (rate limited, paused, skipped, failed).
    NotReviewed(Notice),
    /// Nothing yet for this commit.
    Pending,
}

/// Reads the conversation for `head_commit` (any commit when `None`).
pub fn assess(activity: &Activity, head_commit: Option<&str>) -> Assessment {
    let for_head = |commit: Option<&String>| match (head_commit, commit) {
        (None, _) => true,
        (Some(head), Some(commit)) => commit == head,
        (Some(_), None) => false,
    };
    let reviews: Vec<_> = activity
        .reviews
        .iter()
        .filter(|r| is_bot(r.user.as_ref()) && for_head(r.commit_id.as_ref()))
        .collect();
    let walkthrough =
        latest_walkthrough(&activity.issue_comments).map(|c| walkthrough::parse(&c.body));
    if reviews.is_empty() {
        return match latest_notice(&activity.issue_comments) {
            Some(notice) => Assessment::NotReviewed(notice),
            None => Assessment::Pending,
        };
    }

    let review_ids: Vec<u64> = reviews.iter().map(|r| r.id).collect();
    let mut findings: Vec<ReviewFinding> = activity
        .review_comments
        .iter()
        .filter(|c| is_bot(c.user.as_ref()) && c.in_reply_to_id.is_none())
        .filter(|c| {
            c.pull_request_review_id
                .is_some_and(|id| review_ids.contains(&id))
        })
        .filter(|c| !is_command_reply(&c.body))
        .map(inline_finding)
        .collect();
    let mut actionable_posted = 0u32;
    let mut flags = Vec::new();
    for review in &reviews {
        let body = review_body::parse(review.body.as_deref().unwrap_or_default());
        actionable_posted += body.actionable_posted.unwrap_or(0);
        if body
            .findings
            .iter()
            .any(|f| f.section == SectionKind::OutsideDiff)
        {
            flags.push("comments outside the diff range".to_owned());
        }
        if body
            .findings
            .iter()
            .any(|f| f.section == SectionKind::Duplicate)
        {
            flags.push("earlier comments still unresolved".to_owned());
        }
        for section in &body.miscounted_sections {
            tracing::warn!("CodeRabbit's \"{section}\" section holds a different number of findings than it states");
        }
        findings.extend(body.findings.into_iter().map(|f| ReviewFinding {
            category: f.category,
            severity: f.severity,
            path: f.path,
            line_start: f.line_start,
            line_end: f.line_end,
            title: f.title,
            body: f.body,
            suggestion: f.suggestion,
            actionable: f.section.actionable(),
        }));
    }
    let inline_actionable = findings.iter().filter(|f| f.actionable).count();
    if (actionable_posted as usize) > inline_actionable {
        tracing::warn!(
            "CodeRabbit says it posted {actionable_posted} actionable comments; {inline_actionable} were read"
        );
    }
    Assessment::Reviewed(Box::new(review_from(findings, walkthrough, flags)))
}

fn review_from(
    findings: Vec<ReviewFinding>,
    walkthrough: Option<Walkthrough>,
    mut flags: Vec<String>,
) -> Review {
    let mut risk_flags = counts::risk_flags(&findings);
    risk_flags.append(&mut flags);
    let effort = walkthrough.as_ref().and_then(|w| w.effort.clone());
    if effort.as_ref().is_some_and(|e| e.level >= 4) {
        risk_flags.push("high review effort".to_owned());
    }
    risk_flags.dedup();
    Review {
        source: ReviewSource::Coderabbit,
        status: ReviewStatus::Reviewed,
        notice: None,
        counts: counts::count(&findings),
        findings,
        complexity_score: effort.map(|e| e.complexity_score()),
        risk_flags,
        summary: walkthrough.and_then(|w| w.summary),
    }
}

fn inline_finding(comment: &ReviewComment) -> ReviewFinding {
    let parsed = inline::parse(&comment.body);
    let line_end = comment.line.or(comment.original_line);
    let line_start = comment
        .start_line
        .or(comment.original_start_line)
        .or(line_end);
    ReviewFinding {
        actionable: parsed.category != FindingCategory::Nitpick,
        category: parsed.category,
        severity: parsed.severity,
        path: comment.path.clone(),
        line_start,
        line_end,
        title: parsed.title,
        body: parsed.body,
        suggestion: parsed.committable_suggestion.or(parsed.proposed_diff),
    }
}

/// Bot comments that are neither commands nor replies to them, newest edit last.
fn bot_comments(comments: &[IssueComment]) -> Vec<&IssueComment> {
    let mut bot: Vec<&IssueComment> = comments
        .iter()
        .filter(|c| is_bot(c.user.as_ref()) && !is_command(&c.body) && !is_command_reply(&c.body))
        .collect();
    // RFC 3339 timestamps in UTC sort as text.
    bot.sort_by(|a, b| {
        let key = |c: &IssueComment| c.updated_at.clone().or_else(|| c.created_at.clone());
        key(a).cmp(&key(b)).then(a.id.cmp(&b.id))
    });
    bot
}

/// The walkthrough as last edited.
fn latest_walkthrough(comments: &[IssueComment]) -> Option<&IssueComment> {
    bot_comments(comments)
        .into_iter()
        .rev()
        .find(|c| walkthrough::is_walkthrough(&c.body) && notice_in(&c.body).is_none())
}

/// The notice of the latest bot comment that carries one.
fn latest_notice(comments: &[IssueComment]) -> Option<Notice> {
    bot_comments(comments)
        .into_iter()
        .rev()
        .find_map(|c| notice_in(&c.body))
}
