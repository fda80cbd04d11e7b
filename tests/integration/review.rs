//! am-review: the CodeRabbit parser on realistic bodies, the wait for a review through a GitHub
//! stub, and the local review of fixture diffs.
