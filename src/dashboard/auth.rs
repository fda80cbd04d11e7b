//! The optional access token. When one is configured, every page and the JSON API need it: as
//! `Authorization: Bearer <token>`, or once as `?token=<token>` (the sign-in form), which sets a
//! cookie holding the token's SHA-256 so the browser never keeps the token itself.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::app::AppState;
use super::error::status_page;

const COOKIE_NAME: &str = "am_dashboard";
const QUERY_NAME: &str = "token";
/// Thirty days: a dashboard kept open on a wall screen stays signed in.
const COOKIE_MAX_AGE_SECS: u32 = 30 * 24 * 3600;

/// Lets the request through when no token is configured or it carries the right one.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = state.config.token.as_ref() else {
        return next.run(request).await;
    };
    let expected = digest(token.expose());
    let headers = request.headers();
    if bearer(headers).is_some_and(|given| same(&digest(given), &expected))
        || cookie(headers, COOKIE_NAME)
            .is_some_and(|given| same(given.as_bytes(), hex::encode(expected).as_bytes()))
    {
        return next.run(request).await;
    }
    match query_token(request.uri()) {
        Some(given) if same(&digest(&given), &expected) => sign_in(request.uri(), &expected),
        Some(_) => refuse(
            request.uri(),
            "That token is not the one this dashboard was started with.",
        ),
        None => refuse(
            request.uri(),
            "This dashboard needs its access token (AM_DASHBOARD_TOKEN).",
        ),
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn same(given: &[u8], expected: &[u8]) -> bool {
    given.ct_eq(expected).into()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

fn query_token(uri: &Uri) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find_map(|(key, value)| (key == QUERY_NAME).then(|| value.into_owned()))
}

/// Sets the cookie and sends the browser to the same address without the token in it, so it
/// stays out of the history and the address bar.
fn sign_in(uri: &Uri, expected: &[u8; 32]) -> Response {
    let rest: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(key, _)| key != QUERY_NAME)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut location = uri.path().to_owned();
    if !rest.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .finish();
        location = format!("{location}?{query}");
    }
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; HttpOnly; SameSite=Strict",
        hex::encode(expected)
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let (Ok(location), Ok(cookie)) = (
        HeaderValue::from_str(&location),
        HeaderValue::from_str(&cookie),
    ) {
        response.headers_mut().insert(LOCATION, location);
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// 401: JSON for the API, the sign-in page for everything else.
fn refuse(uri: &Uri, message: &str) -> Response {
    let mut response = if uri.path().starts_with("/api/") {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            error: &'a str,
        }
        (StatusCode::UNAUTHORIZED, Json(Body { error: message })).into_response()
    } else {
        status_page(StatusCode::UNAUTHORIZED, "Sign in", message, true)
    };
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; am_dashboard=abc; b=2"),
        );
        assert_eq!(cookie(&headers, COOKIE_NAME), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn reads_a_bearer_token_in_any_case() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer s3cret"));
        assert_eq!(bearer(&headers), Some("s3cret"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic s3cret"));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn signing_in_drops_the_token_from_the_address() {
        let uri: Uri = "/timeline?status=failed&token=s3cret".parse().unwrap();
        let response = sign_in(&uri, &digest("s3cret"));
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[LOCATION], "/timeline?status=failed");
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with(&format!("am_dashboard={}", hex::encode(digest("s3cret")))));
        assert!(!cookie.contains("s3cret"));
        assert!(cookie.contains("HttpOnly"));
    }
}
