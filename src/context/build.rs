//! Assembling context.json from its parts: the walk (with tags), linters and GitHub issues run
//! side by side; then history, the ranked map, findings, learnings, all within their budgets.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::findings::{self, lint::LintOptions};
use super::repo_map::{self, MapInput};
use super::summary;
use super::tag_cache::TagCache;
use super::walk::{self, Walked};
use crate::artifacts::{Context, EligibleIssue, Finding, FindingKind, History};
use crate::error::Error;
use crate::repo::history::{self, HistoryLimits};
use crate::repo::RepoError;
use crate::repo_config::RepoConfig;
use crate::store::Store;

/// Learnings retrieved for the context.
const LEARNINGS: u32 = 10;
/// Recently changed files favoured by the map.
const HOT_FOCUS_FILES: usize = 10;

/// Where the issues come from: a GitHub repository, through a client.
#[derive(Debug)]
pub struct IssueSource {
    pub client: octocrab::Octocrab,
    pub owner: String,
    pub name: String,
}

/// Everything context building needs.
#[derive(Debug)]
pub struct ContextRequest<'a> {
    pub clone: &'a Path,
    /// The repository as the run knows it (URL or path), for learnings and the artifact.
    pub repository: String,
    pub config: &'a RepoConfig,
    /// Where tags are cached between runs; no caching when None.
    pub tag_cache: Option<PathBuf>,
    pub map_tokens: usize,
    pub max_findings: usize,
    pub lint: Option<LintOptions>,
    pub issues: Option<IssueSource>,
    pub store: Option<&'a dyn Store>,
}

/// The context and what building it cost.
#[derive(Debug)]
pub struct Built {
    pub context: Context,
    pub parsed_files: usize,
    pub cached_files: usize,
}

pub async fn build(request: ContextRequest<'_>) -> Result<Built, Error> {
    let clone = request.clone.to_path_buf();
    let cache = request.tag_cache.as_deref().map(TagCache::new);
    let walk_task = tokio::task::spawn_blocking(move || walk::walk(&clone, cache.as_ref()));
    let lint_task = async {
        match &request.lint {
            Some(options) => findings::lint::findings(request.clone, options).await,
            None => Vec::new(),
        }
    };
    let issues_task = async {
        match &request.issues {
            Some(source) => {
                super::issues::eligible(
                    &source.client,
                    &source.owner,
                    &source.name,
                    &request.config.issues,
                )
                .await
            }
            None => Ok(Vec::new()),
        }
    };
    let (walked, lints, issues) = tokio::join!(walk_task, lint_task, issues_task);
    let walked = walked.map_err(|e| Error::step("walk the tree", e.to_string()))?;
    let issues = issues?;
    let head_commit = head_commit(request.clone)?;
    let history = history::read(request.clone, HistoryLimits::default())?;
    let summary = summary::summarize(&walked.files);
    let repo_map = map(&walked, &history, &issues, request.map_tokens);
    let findings = select_findings(lints, &walked, request.max_findings);
    let check_commands = if request.config.checks.is_empty() {
        crate::repo::checks::detect(request.clone)
    } else {
        request.config.checks.clone()
    };
    let mut context = Context {
        repository: request.repository.clone(),
        head_commit,
        summary,
        repo_map,
        findings,
        issues,
        history,
        learnings: Vec::new(),
        check_commands,
    };
    if let Some(store) = request.store {
        context.learnings = store
            .relevant_learnings(&request.repository, &learning_query(&context), LEARNINGS)
            .await?;
    }
    Ok(Built {
        context,
        parsed_files: walked.parsed,
        cached_files: walked.cached,
    })
}

fn head_commit(root: &Path) -> Result<String, Error> {
    let repo = git2::Repository::open(root)
        .map_err(|e| RepoError::git(format!("open the clone {}", root.display()), e))?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| RepoError::git("read HEAD", e))?;
    Ok(head.id().to_string())
}

fn map(
    walked: &Walked,
    history: &History,
    issues: &[EligibleIssue],
    budget: usize,
) -> crate::artifacts::RepoMap {
    let files: Vec<(&str, &crate::analysis::tags::FileTags)> = walked
        .files
        .iter()
        .filter_map(|f| f.tags.as_ref().map(|t| (f.path.as_str(), t)))
        .collect();
    let issue_text: String = issues
        .iter()
        .map(|i| format!("{}\n{}\n", i.title, i.body))
        .collect();
    let mut focus_files: HashSet<String> = history
        .hot_files
        .iter()
        .take(HOT_FOCUS_FILES)
        .map(|f| f.path.clone())
        .collect();
    focus_files.extend(mentioned_files(&files, &issue_text));
    focus_files.retain(|path| files.iter().any(|(p, _)| p == path));
    let mentioned = mentioned_identifiers(&issue_text);
    repo_map::build(&MapInput {
        files,
        focus_files: &focus_files,
        mentioned: &mentioned,
        budget,
    })
}

/// Files an issue names by path, or by a file name distinctive enough (not `mod.rs`).
fn mentioned_files(files: &[(&str, &crate::analysis::tags::FileTags)], text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    files
        .iter()
        .filter(|(path, _)| {
            let name = path.rsplit('/').next().unwrap_or(path);
            text.contains(path)
                || (name.len() >= 6
                    && !matches!(
                        name,
                        "mod.rs" | "lib.rs" | "main.rs" | "__init__.py" | "index.js" | "index.ts"
                    )
                    && text.contains(name))
        })
        .map(|(path, _)| (*path).to_owned())
        .collect()
}

fn mentioned_identifiers(text: &str) -> HashSet<String> {
    // A fixed pattern: it compiles.
    #[allow(clippy::unwrap_used)]
    let word = Regex::new(r"[A-Za-z_][A-Za-z0-9_]{3,}").unwrap();
    word.find_iter(text)
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// Findings within their budget: each kind gets a fair share (so a thousand TODOs do not crowd
/// out the lints), fixable ones and the most severe first.
fn select_findings(lints: Vec<Finding>, walked: &Walked, max: usize) -> Vec<Finding> {
    let mut lints = lints;
    lints.sort_by_key(|f| !f.fixable);
    let groups: Vec<Vec<Finding>> = vec![
        lints
            .iter()
            .filter(|f| f.kind == FindingKind::Format)
            .cloned()
            .collect(),
        lints
            .into_iter()
            .filter(|f| f.kind != FindingKind::Format)
            .collect(),
        findings::complexity::findings(&walked.files),
        findings::untested::findings(&walked.files),
        findings::markers::findings(&walked.files),
    ];
    let share = max / groups.len().max(1);
    let mut chosen: Vec<Finding> = Vec::new();
    let mut rest: Vec<Finding> = Vec::new();
    for group in groups {
        let mut group = group.into_iter();
        chosen.extend(group.by_ref().take(share));
        rest.extend(group);
    }
    chosen.extend(rest.into_iter().take(max.saturating_sub(chosen.len())));
    chosen
}

/// What the learnings are ranked against: the languages, the findings and the issues.
fn learning_query(context: &Context) -> String {
    let mut words: Vec<String> = context
        .summary
        .languages
        .iter()
        .take(3)
        .map(|l| l.language.clone())
        .collect();
    words.extend(context.findings.iter().take(20).map(|f| f.message.clone()));
    words.extend(context.issues.iter().map(|i| i.title.clone()));
    words.join(" ")
}
