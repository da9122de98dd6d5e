# Build: docker build -t mockexam .
# The build needs no database: every SQL query is checked at run time against the migrated
# schema (and by the test suite), not at compile time.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY benches ./benches
COPY build.rs ./
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 mockexam \
    && mkdir -p /var/lib/mockexam && chown mockexam /var/lib/mockexam
WORKDIR /app
COPY --from=build /src/target/release/mockexam /usr/local/bin/mockexam
COPY question-bank ./question-bank
USER mockexam
ENV MOCKEXAM_BIND=0.0.0.0:8080
# The outbox (mails, when no SMTP server is set) lives here.
ENV MOCKEXAM_DATA_DIR=/var/lib/mockexam
EXPOSE 8080
# bash (not dash) understands /dev/tcp, so the slim image needs no curl.
HEALTHCHECK --interval=15s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
CMD ["mockexam", "serve"]
