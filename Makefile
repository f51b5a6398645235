# isac-twin: the two commands a newcomer needs are `make demo` and `make test`.
# Both install the Debian packages the build needs when they are missing.

SWIFT ?= swift
DEBIAN_PACKAGES := libopenblas-dev liblapacke-dev libfftw3-dev libsqlite3-dev pkg-config
# One BLAS thread: reproducible timings, and no oversubscription on small machines.
export OPENBLAS_NUM_THREADS := 1

.PHONY: all deps build release demo test bench clean check-report

all: build

## deps: install the system libraries (OpenBLAS, LAPACKE, FFTW, SQLite) if any is missing.
deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## demo: build (release) and run the default factory world with a recording, then summarise it, print the twin and write its HTML report.
demo: release
	@mkdir -p recordings
	.build/release/isac-twin run worlds/factory.yaml --record recordings/demo.sqlite
	@echo
	.build/release/isac-twin inspect recordings/demo.sqlite
	@echo
	.build/release/isac-twin twin recordings/demo.sqlite
	@echo
	.build/release/isac-twin report recordings/demo.sqlite -o recordings/demo-report.html

## test: build and run every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## check-report: render a short recording's report in headless Chromium (installs Debian's chromium if missing) and check it rendered. Not part of `test`.
check-report: deps
	$(SWIFT) build
	scripts/check-report.sh

## bench: run the benchmarks (Benchmarks/ package, release build).
bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

clean:
	rm -rf .build Benchmarks/.build
