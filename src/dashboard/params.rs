//! The query parameters the run lists take (`/timeline`, `/api/data`, `/repositories`), checked
//! into a store query with a message that names the parameter when one is wrong.

use serde::{Deserialize, Serialize};

use super::error::PageError;
use crate::store::{RepositoryQuery, RunCursor, RunQuery, RunStatus};

/// Raw parameters; empty values (an unselected `<select>`) count as absent.
#[derive(Debug, Default, Deserialize)]
pub struct RunParams {
    pub repository: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// A keyset cursor (`RunCursor::text`): the runs older than that run.
    pub after: Option<String>,
    /// A keyset cursor: the runs newer than that run.
    pub before: Option<String>,
}

impl RunParams {
    /// The store query, with `per_page` limited to `max_per_page`.
    pub fn query(&self, default_per_page: u32, max_per_page: u32) -> Result<RunQuery, PageError> {
        let status = match present(&self.status) {
            None => None,
            Some(text) => Some(RunStatus::parse(text).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "`status` must be one of running, succeeded, nothing, failed, abandoned, skipped; got `{text}`"
                ))
            })?),
        };
        let page = number("page", &self.page)?.unwrap_or(1);
        let per_page = number("per_page", &self.per_page)?.unwrap_or(default_per_page);
        if per_page > max_per_page {
            return Err(PageError::BadRequest(format!(
                "`per_page` must be at most {max_per_page}; got {per_page}"
            )));
        }
        let cursor = match (present(&self.after), present(&self.before)) {
            (Some(_), Some(_)) => {
                return Err(PageError::BadRequest(
                    "`after` and `before` cannot both be given".to_owned(),
                ))
            }
            (Some(text), None) => Some(cursor("after", text, false)?),
            (None, Some(text)) => Some(cursor("before", text, true)?),
            (None, None) => None,
        };
        Ok(RunQuery {
            repository: present(&self.repository).map(str::to_owned),
            status,
            page,
            per_page,
            cursor,
        })
    }

    /// A page of repositories, with `per_page` limited to `max_per_page`.
    pub fn repository_query(
        &self,
        default_per_page: u32,
        max_per_page: u32,
    ) -> Result<RepositoryQuery, PageError> {
        let page = number("page", &self.page)?.unwrap_or(1);
        let per_page = number("per_page", &self.per_page)?.unwrap_or(default_per_page);
        if per_page > max_per_page {
            return Err(PageError::BadRequest(format!(
                "`per_page` must be at most {max_per_page}; got {per_page}"
            )));
        }
        Ok(RepositoryQuery { page, per_page })
    }
}

fn cursor(name: &str, text: &str, newer: bool) -> Result<RunCursor, PageError> {
    RunCursor::parse(text, newer).ok_or_else(|| {
        PageError::BadRequest(format!(
            "`{name}` must be a run cursor (`<started_at>~<run_id>`, as the pager links give it); got `{text}`"
        ))
    })
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A positive whole number, or None when absent.
fn number(name: &str, value: &Option<String>) -> Result<Option<u32>, PageError> {
    match present(value) {
        None => Ok(None),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(PageError::BadRequest(format!(
                "`{name}` must be a whole number from 1; got `{text}`"
            ))),
        },
    }
}

/// The number of pages `total` rows fill, at least one (an empty list is one empty page).
/// A paged list's place and the links to its neighbours, as the templates' pager shows it.
#[derive(Debug, Serialize)]
pub(crate) struct Pager {
    pub(crate) page: u32,
    pub(crate) pages: u32,
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
}

pub fn page_count(total: u64, per_page: u32) -> u32 {
    let pages = total.div_ceil(u64::from(per_page.max(1)));
    u32::try_from(pages).unwrap_or(u32::MAX).max(1)
}

/// `path?key=value&...` for the pairs with a value, encoded.
pub fn link(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if let Some(value) = value {
            query.append_pair(key, value);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(status: &str, page: &str, per_page: &str) -> RunParams {
        RunParams {
            repository: Some(" ".to_owned()),
            status: Some(status.to_owned()),
            page: Some(page.to_owned()),
            per_page: Some(per_page.to_owned()),
            ..RunParams::default()
        }
    }

    #[test]
    fn empty_values_mean_no_filter() {
        let query = params("", "", "").query(25, 100).unwrap();
        assert_eq!(query, RunQuery::default());
    }

    #[test]
    fn wrong_values_name_the_parameter() {
        let error = |p: RunParams| p.query(25, 100).unwrap_err().to_string();
        assert!(error(params("done", "", "")).contains("`status`"));
        assert!(error(params("", "0", "")).contains("`page`"));
        assert!(error(params("", "x", "")).contains("`page`"));
        assert!(error(params("", "", "1000")).contains("at most 100"));
        let bad_cursor = RunParams {
            after: Some("yesterday".to_owned()),
            ..RunParams::default()
        };
        assert!(error(bad_cursor).contains("`after`"));
    }

    #[test]
    fn cursors_read_back_what_links_carry() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T02:00:00.123456Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let cursor = RunCursor {
            started_at: at,
            run_id: "run~1".to_owned(),
            newer: false,
        };
        let params = RunParams {
            after: Some(cursor.text()),
            ..RunParams::default()
        };
        assert_eq!(params.query(25, 100).unwrap().cursor, Some(cursor));
    }

    #[test]
    fn pages_and_links() {
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(
            link(
                "/timeline",
                &[("repository", Some("a b&c".into())), ("status", None)]
            ),
            "/timeline?repository=a+b%26c"
        );
    }
}
