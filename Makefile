# sleuth's build. `make demo` builds and runs the main job on the embedded
# lab; `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     ?= bin/sleuth
export CGO_ENABLED = 1

.PHONY: build demo test vet fmt-check bench clean

build:
	$(GO) build -o $(BIN) ./cmd/sleuth

demo: build
	./$(BIN) hunt "anything suspicious this week?"

# The race detector (which also checks unsafe.Pointer conversions) runs
# over the packages with the most concurrency and unsafe code: the ingest
# pipeline and its arenas, the store's appender lanes, the LLM clients and
# the response executor.
RACE_PKGS = ./internal/ingest/... ./internal/store/... ./internal/llm/... ./internal/respond/...

test: fmt-check vet
	$(GO) test -count=1 ./...
	$(GO) test -race -count=1 $(RACE_PKGS)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
