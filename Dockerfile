# syntax=docker/dockerfile:1
#
# Kestra with AutoMaintainer's binaries inside it, where the flows' Process task runner finds
# them. The binaries are built on Ubuntu 22.04, the base of Kestra's image, so they link against
# the same glibc (2.35).

ARG KESTRA_VERSION=v1.3.37

FROM ubuntu:22.04 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl build-essential pkg-config git \
 && rm -rf /var/lib/apt/lists/*
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain stable
ENV PATH=/root/.cargo/bin:$PATH
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bins \
 && mkdir -p /out/bin \
 && cp target/release/automaintainer target/release/am-* /out/bin/ \
 && rm -f /out/bin/*.d
# The example repository as a bare remote: the flow's default target, so a fresh install runs.
RUN git -c init.defaultBranch=main init -q /tmp/example \
 && cp -r examples/demo-repo/. /tmp/example/ \
 && git -C /tmp/example add -A \
 && git -C /tmp/example -c user.name="AutoMaintainer example" -c user.email=example@automaintainer.invalid \
        commit -q -m "An inventory crate with a test" \
 && git clone -q --bare /tmp/example /out/demo-repo.git

FROM kestra/kestra:${KESTRA_VERSION}
USER root
# git for the clones; a Rust toolchain so the phases can run the example's checks (cargo test,
# clippy, rustfmt) on the worker, as the offline provider's fixes need them; bubblewrap, the
# sandbox they run in (the container must allow user namespaces, else `sandbox: auto` says so and
# runs without it).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates curl build-essential bubblewrap \
 && rm -rf /var/lib/apt/lists/*
ENV RUSTUP_HOME=/opt/rust/rustup CARGO_HOME=/opt/rust/cargo
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --component clippy,rustfmt --default-toolchain stable --no-modify-path \
 && chmod -R a+rwX /opt/rust
ENV PATH=/opt/rust/cargo/bin:$PATH
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build --chown=kestra:kestra /out/demo-repo.git /opt/automaintainer/demo-repo.git
COPY --chown=kestra:kestra flows/ /opt/automaintainer/flows/
USER kestra
