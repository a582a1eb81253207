# cibox — the two commands of the README, and a few more.
#   make demo   installs what is missing, builds cibox and runs a sample pipeline
#   make test   installs what is missing (Slurm and munge too, for the Slurm tests), builds and runs every test suite
#   make sample-images   builds the images of Samples/service-containers (needs busybox-static) and loads them into
#                        $CIBOX_HOME (else the default home)

SWIFT ?= swift
CONFIG ?= debug
# The config compiler's fuzzer runs this long in `make test` (0 crashes, 0 hangs; see FuzzTests).
export CIBOX_FUZZ_SECONDS ?= 60

.PHONY: deps test-deps build release bench demo sample-images test lint format clean

deps:
	@./scripts/install-deps.sh

test-deps:
	@./scripts/install-deps.sh test

build: deps
	$(SWIFT) build -c $(CONFIG)

release: deps
	$(SWIFT) build -c release -Xswiftc -static-stdlib --product cibox
	# The job agent cibox starts beside itself (a static program; see Sources/cibox-sandbox).
	$(SWIFT) build -c release --product cibox-sandbox
	$(SWIFT) build -c release -Xswiftc -static-stdlib --product cibox-bench

bench: release
	"$$($(SWIFT) build -c release --show-bin-path)/cibox-bench" all

demo: build
	./scripts/demo.sh "$$($(SWIFT) build -c $(CONFIG) --show-bin-path)/cibox"

sample-images: build
	./scripts/build-sample-images.sh .build/sample-images
	for name in app web; do \
	  "$$($(SWIFT) build -c $(CONFIG) --show-bin-path)/cibox" image load .build/sample-images/$$name.tar || exit 1; \
	done

test: test-deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
