# otelkit's collector for compose: builder-config.yaml built with the OpenTelemetry Collector Builder, the way the
# native runner builds it (scripts/stack/backends.mjs), so both stacks run the same components at the same versions.
# OCB_VERSION is dist.version of builder-config.yaml and GO_VERSION a Go release the builder supports;
# test/collector/compose.test.ts holds both to that.
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION} AS build
ARG OCB_VERSION=0.161.0
RUN CGO_ENABLED=0 go install go.opentelemetry.io/collector/cmd/builder@v${OCB_VERSION}
WORKDIR /build
COPY builder-config.yaml ./
# dist.output_path (./_build) is relative to this directory.
RUN CGO_ENABLED=0 builder --config=builder-config.yaml

# Static binary, no shell: compose probes its health endpoint from outside.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /build/_build/otelcol-otelkit /otelcol-otelkit
EXPOSE 4317 4318 8888 8889 13133
ENTRYPOINT ["/otelcol-otelkit"]
