# PerturbKit: `make demo` runs the end-to-end path on simulated data, `make test` runs every test.
# Both install what they need first (Debian packages via scripts/setup; the pinned Python reference tools
# for cross-checks via scripts/setup-reference, required under CI, optional elsewhere).

SWIFT ?= swift
DEMO_DIR ?= demo-output

FUZZ_SECONDS ?= 60

.PHONY: setup reference build test demo release clean format format-check fuzz

setup:
	@bash scripts/setup

reference:
	@if [ "$${CI:-}" = "true" ]; then bash scripts/setup-reference; \
	else bash scripts/setup-reference || echo "note: reference Python not installed; cross-check tests will skip" >&2; fi

build: setup
	$(SWIFT) build --product perturb
	$(SWIFT) build --product perturb-hdf5-check

release: setup
	$(SWIFT) build -c release --product perturb
	$(SWIFT) build -c release --product perturb-hdf5-check

test: setup reference format-check
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	@if [ "$${CI:-}" = "true" ]; then $(MAKE) fuzz; fi

# libFuzzer + AddressSanitizer over the h5ad reader and the TOML, split and model parsers (scripts/fuzz):
# FUZZ_SECONDS per target (CI: 60); a crash or sanitizer report fails.
fuzz: setup
	bash scripts/fuzz --seconds $(FUZZ_SECONDS)

demo: setup
	$(SWIFT) build -c release --product perturb
	$(SWIFT) build -c release --product perturb-hdf5-check
	$$($(SWIFT) build -c release --show-bin-path)/perturb demo -o $(DEMO_DIR)

# The code follows .swift-format (swift-format ships with the Swift toolchain); `make format` rewrites it so.
format:
	swift-format format --configuration .swift-format -i -r Sources Tests Fuzz

format-check:
	@if command -v swift-format >/dev/null 2>&1; then swift-format lint --strict --configuration .swift-format -r Sources Tests Fuzz; \
	else echo "note: swift-format not found; formatting not checked" >&2; fi

clean:
	rm -rf .build $(DEMO_DIR)
