//! A real headless Chromium, driven over WebDriver (fantoccini + chromedriver): started on a
//! free port per test, with a fresh profile, and stopped when the test ends. When chromedriver or
//! Chromium is missing the test fails: it never skips.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// Where Debian puts them (`.ci/run` installs `chromium` and `chromium-driver`).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A running chromedriver with one browser session. Dropping it stops chromedriver (and with it
/// the browser) and removes the profile.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        for path in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                PathBuf::from(path).exists(),
                "{path} is missing: install Debian's chromium and chromium-driver (`.ci/run` does)"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut guard = DriverGuard(Some(driver));
        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--hide-scrollbars",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = capabilities
            .as_object()
            .cloned()
            .expect("capabilities are an object");
        let webdriver = format!("http://127.0.0.1:{port}");
        let client = connect(&webdriver, capabilities).await;
        Self {
            client,
            driver: guard.0.take().expect("the driver process"),
            _profile: profile,
        }
    }

    /// Runs `script` (a function body that returns a value) in the page.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .text()
            .await
            .expect("element text")
    }

    /// Waits (bounded) until the address contains `fragment`: a click that submits a form or
    /// follows a link returns before the next page has loaded.
    pub async fn wait_for_url(&self, fragment: &str) -> url::Url {
        let mut last = None;
        for _ in 0..200 {
            let url = self.client.current_url().await.expect("current URL");
            let ready = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .map(|state| state == "complete")
                .unwrap_or(false);
            if url.as_str().contains(fragment) && ready {
                return url;
            }
            last = Some(url);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the browser never reached an address with {fragment}; it is at {last:?}");
    }

    /// Clicks the first element `locator` finds, as a visitor would.
    pub async fn click(&self, locator: fantoccini::Locator<'_>) {
        self.client
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {locator:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("could not click {locator:?}: {e}"));
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(fantoccini::Locator::Css(css))
            .await
            .expect("find elements")
            .len()
    }

    /// Ends the session cleanly (the driver is stopped on drop either way).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Kills the driver if the session never came up.
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// chromedriver takes a moment to listen; the session is retried until it answers (bounded).
async fn connect(webdriver: &str, capabilities: fantoccini::wd::Capabilities) -> Client {
    // Two rustls crypto providers are compiled in (ring and aws-lc-rs); choose one, once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut last_error = String::new();
    for _ in 0..100 {
        let mut builder = ClientBuilder::rustls().expect("a WebDriver client");
        builder.capabilities(capabilities.clone());
        match builder.connect(webdriver).await {
            Ok(client) => return client,
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver at {webdriver} did not start a Chromium session: {last_error}");
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
