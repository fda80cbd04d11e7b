//! The forge port: pull requests on GitHub or on a local bare remote.
