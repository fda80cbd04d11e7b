//! Assembling context.json from its parts: the walk (with lexical tags), linters and GitHub
//! issues run side by side; then history, the ranked map (parsing the files it shows),
//! findings (parsing the files likeliest to hold the most complex functions), learnings, all
//! within their budgets.

use std::collections::HashSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use regex::Regex;

use super::findings::{self, lint::LintOptions};
use super::parse::Analyser;
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

/// The store (learnings, backoffs), still opening: it is awaited beside the walk, so opening
/// and migrating it costs no time of its own.
pub type PendingStore<'a> =
    Pin<Box<dyn Future<Output = Result<Arc<dyn Store>, Error>> + Send + 'a>>;

/// Everything context building needs.
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
    pub store: Option<PendingStore<'a>>,
}

impl std::fmt::Debug for ContextRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextRequest")
            .field("clone", &self.clone)
            .field("repository", &self.repository)
            .field("map_tokens", &self.map_tokens)
            .field("max_findings", &self.max_findings)
            .field("lint", &self.lint)
            .field("issues", &self.issues)
            .field("store", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

/// The context and what building it cost.
#[derive(Debug)]
pub struct Built {
    pub context: Context,
    /// Files read by the lexical pass (every file in a language the map reads).
    pub scanned_files: usize,
    /// Files parsed for the map and the findings, and files whose analysis the cache had.
    pub parsed_files: usize,
    pub cached_files: usize,
}

pub async fn build(mut request: ContextRequest<'_>) -> Result<Built, Error> {
    let started = std::time::Instant::now();
    let clone = request.clone.to_path_buf();
    let walk_task = tokio::task::spawn_blocking(move || walk::walk(&clone));
    // The history beside the walk: on a fresh clone of one big commit it is a diff of every
    // file.
    let history_clone = request.clone.to_path_buf();
    let history_task = tokio::task::spawn_blocking(move || {
        let history = history::read(&history_clone, HistoryLimits::default())?;
        // The history starts at HEAD: its first commit is HEAD's, read without libgit2 (whose
        // first use in a process loads OpenSSL's CA bundle) where git read the history.
        let head = match history.recent_commits.first() {
            Some(first) => first.id.clone(),
            None => head_commit(&history_clone)?,
        };
        Ok::<_, RepoError>((head, history))
    });
    let pending_store = request.store.take();
    let store_task = async move {
        match pending_store {
            Some(store) => store.await.map(Some),
            None => Ok(None),
        }
    };
    let lint_task = async {
        match &request.lint {
            Some(options) => findings::lint::findings(request.clone, options).await,
            None => Default::default(),
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
    let (walked, history, lints, issues, store) =
        tokio::join!(walk_task, history_task, lint_task, issues_task, store_task);
    let store = store?;
    let mut walked = walked.map_err(|e| Error::step("walk the tree", e.to_string()))?;
    let (head_commit, history) =
        history.map_err(|e| Error::step("read the history", e.to_string()))??;
    let issues = issues?;
    let summary = summary::summarize(&walked.files);
    tracing::debug!(
        "walked {} files in {:?}",
        walked.files.len(),
        started.elapsed()
    );
    let cache = request.tag_cache.as_deref().map(TagCache::new);
    let (repo_map, measured, (parsed_files, cached_files)) = {
        let analyser = Analyser::new(request.clone, &walked.files, cache.as_ref());
        let focus = focus_files(&walked, &history, &issues);
        // The most complex functions: measured where the estimate is highest, and in the
        // files the run favours.
        let mut candidates = findings::complexity::candidates(&walked.files, request.max_findings);
        candidates.extend(
            walked
                .files
                .iter()
                .enumerate()
                .filter(|(_, f)| f.tags.is_some() && focus.contains(&f.path))
                .map(|(i, _)| i),
        );
        // Those are parsed beside the ranking and the map's rounds (the ranking keeps one core
        // busy; between rounds the cores wait): the same files parsed, sooner.
        let repo_map = std::thread::scope(|scope| {
            scope.spawn(|| analyser.analyse(&candidates));
            map(&walked, &analyser, &focus, &issues, request.map_tokens)
        });
        let counts = analyser.counts();
        tracing::debug!(
            "map built and complexity measured, {counts:?} parsed/cached, at {:?}",
            started.elapsed()
        );
        (repo_map, analyser.into_analysed(), counts)
    };
    let scanned_files = walked.files.iter().filter(|f| f.tags.is_some()).count();
    for (i, analysis) in measured {
        walked.files[i].complex_functions = analysis.complex_functions;
    }
    let crate::lint::survey::Survey {
        findings: lints,
        tools,
    } = lints;
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
        tools,
        backoffs: Vec::new(),
    };
    if let Some(store) = store.as_deref() {
        let repository = crate::repo::identity::identity(&request.repository);
        let present = crate::learn::age::Present {
            clone: request.clone,
            findings: &context.findings,
            complete: context.findings.len() < request.max_findings,
        };
        crate::learn::age::age(
            store,
            &repository,
            Some(present),
            crate::store::clock::now(),
            crate::learn::age::DEFAULT_MAX_AGE_DAYS,
        )
        .await?;
        context.learnings = crate::learn::retrieve::for_run(
            store,
            &repository,
            &learning_query(&context),
            LEARNINGS,
        )
        .await?;
        context.backoffs = backoffs(store, &repository, crate::store::clock::now()).await?;
    }
    Ok(Built {
        context,
        scanned_files,
        parsed_files,
        cached_files,
    })
}

/// The repository's failed tasks still backing off at `now`.
async fn backoffs(
    store: &dyn Store,
    repository: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<crate::artifacts::BackingOff>, Error> {
    Ok(store
        .task_failures(repository)
        .await?
        .into_iter()
        .filter(|f| f.retry_after > now)
        .map(|f| crate::artifacts::BackingOff {
            fingerprint: f.fingerprint,
            title: f.title,
            failures: f.failures,
            reason: f.reason,
            retry_after: f.retry_after,
        })
        .collect())
}

fn head_commit(root: &Path) -> Result<String, RepoError> {
    let repo = git2::Repository::open(root)
        .map_err(|e| RepoError::git(format!("open the clone {}", root.display()), e))?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| RepoError::git("read HEAD", e))?;
    Ok(head.id().to_string())
}

/// Files the map favours: changed recently, or named by an eligible issue.
fn focus_files(walked: &Walked, history: &History, issues: &[EligibleIssue]) -> HashSet<String> {
    let files: Vec<&str> = walked
        .files
        .iter()
        .filter(|f| f.tags.is_some())
        .map(|f| f.path.as_str())
        .collect();
    let mut focus: HashSet<String> = history
        .hot_files
        .iter()
        .take(HOT_FOCUS_FILES)
        .map(|f| f.path.clone())
        .collect();
    focus.extend(mentioned_files(&files, &issue_text(issues)));
    focus.retain(|path| files.contains(&path.as_str()));
    focus
}

fn issue_text(issues: &[EligibleIssue]) -> String {
    issues
        .iter()
        .map(|i| format!("{}\n{}\n", i.title, i.body))
        .collect()
}

fn map(
    walked: &Walked,
    analyser: &Analyser<'_>,
    focus_files: &HashSet<String>,
    issues: &[EligibleIssue],
    budget: usize,
) -> crate::artifacts::RepoMap {
    // The map's files, and where each sits among the walked ones.
    let (indices, files): (Vec<usize>, Vec<(&str, &crate::analysis::tags::FileTags)>) = walked
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.tags.as_ref().map(|t| (i, (f.path.as_str(), t))))
        .unzip();
    let mentioned = mentioned_identifiers(&issue_text(issues));
    let mut parse = |asked: &[usize]| {
        let walked: Vec<usize> = asked.iter().map(|&a| indices[a]).collect();
        analyser.tags(&walked)
    };
    repo_map::build(
        &MapInput {
            files,
            focus_files,
            mentioned: &mentioned,
            budget,
        },
        &mut parse,
    )
}

/// Files an issue names by path, or by a file name distinctive enough (not `mod.rs`).
fn mentioned_files(files: &[&str], text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    files
        .iter()
        .filter(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            text.contains(**path)
                || (name.len() >= 6
                    && !matches!(
                        name,
                        "mod.rs" | "lib.rs" | "main.rs" | "__init__.py" | "index.js" | "index.ts"
                    )
                    && text.contains(name))
        })
        .map(|path| (*path).to_owned())
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
