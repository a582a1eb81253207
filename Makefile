# cibox — the two commands of the README, and a few more.
#   make demo   installs what is missing, builds cibox and runs a sample pipeline
#   make test   installs what is missing (Slurm and munge too, for the Slurm tests), builds and runs every test suite
#   make sample-images   builds the images of Samples/service-containers (needs busybox-static) and loads them into
#                        $CIBOX_HOME (else the default home)
#   make man          the man pages of the release build, into .build/man (cibox.1, cibox-run.1, …)
#   make completions  its bash, zsh and fish completions, into .build/completions
#   make deb          the Debian package .build/debian/cibox_VERSION_amd64.deb, checked with lintian when installed
#                     (DEB_VERSION=… overrides the version, which is `cibox --version`'s)
#   make bundle       the offline bundle .build/debian/cibox-offline-VERSION-bookworm-amd64.tar: the package, the
#                     Debian packages it needs that a minimal Debian 12 lacks, install.sh (run as root on Debian 12)
#   make test-package the package and the bundle built, then installed into a fresh Debian 12 root and checked
#                     (PackageInstallTests; part of `make test`)

SWIFT ?= swift
CONFIG ?= debug
# The config compiler's fuzzer runs this long in `make test` (0 crashes, 0 hangs; see FuzzTests).
export CIBOX_FUZZ_SECONDS ?= 60

.PHONY: deps test-deps build release-binaries release test-package bench demo sample-images man completions deb bundle test lint format clean

deps:
	@./scripts/install-deps.sh

test-deps:
	@./scripts/install-deps.sh test

build: deps
	$(SWIFT) build -c $(CONFIG)

# What the package ships: cibox with Swift's standard library linked in, and the job agent it starts beside itself
# (a static program; see Sources/cibox-sandbox).
release-binaries: deps
	$(SWIFT) build -c release -Xswiftc -static-stdlib --product cibox
	$(SWIFT) build -c release --product cibox-sandbox

release: release-binaries
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

man: release-binaries
	./scripts/make-man.sh "$$($(SWIFT) build -c release --show-bin-path)/cibox" .build/man

completions: release-binaries
	./scripts/make-completions.sh "$$($(SWIFT) build -c release --show-bin-path)/cibox" .build/completions

deb: release-binaries
	./scripts/make-deb.sh "$$($(SWIFT) build -c release --show-bin-path)" .build/debian

# Needs root and a connected Debian 12 machine (apt downloads the packages).
bundle: deb
	bin="$$($(SWIFT) build -c release --show-bin-path)"; \
	  ./scripts/make-bundle.sh ".build/debian/cibox_$${DEB_VERSION:-$$("$$bin/cibox" --version)}_amd64.deb" .build/debian

test: test-deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test
	$(MAKE) test-package

# The package and the offline bundle, built from the release binaries and installed into a fresh Debian 12 root
# (PackageInstallTests; root, and Debian's mirror for the minimal root and the bundle's packages).
test-package: test-deps release-binaries
	$(SWIFT) build --build-tests
	CIBOX_RELEASE_BIN="$$($(SWIFT) build -c release --show-bin-path)" $(SWIFT) test --skip-build --filter PackageInstallTests

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
