//! Running the dashboard for a test: requests answered by the router directly, or a real server
//! on a free port for the browser.

use std::sync::Arc;

use automaintainer::dashboard::{app, DashboardConfig};
use automaintainer::secrets::Secret;
use automaintainer::store::Store;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// What the router answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub fn config(token: Option<&str>) -> DashboardConfig {
    DashboardConfig {
        token: token.map(Secret::new),
        ..DashboardConfig::default()
    }
}

/// One GET through a fresh router (no server), with extra headers.
pub async fn get_with(
    store: &Arc<dyn Store>,
    config: DashboardConfig,
    uri: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app(store.clone(), config)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

/// One GET with no token configured.
pub async fn get(store: &Arc<dyn Store>, uri: &str) -> Answer {
    get_with(store, config(None), uri, &[]).await
}

/// A real server on a free loopback port; stops when the returned handle is dropped.
pub struct Server {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start(store: Arc<dyn Store>, config: DashboardConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app(store, config)).await.unwrap();
        });
        Self { base, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
