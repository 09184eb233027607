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

test: fmt-check vet
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
