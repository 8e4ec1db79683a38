# PerturbKit: `make demo` runs the end-to-end path on simulated data, `make test` runs every test.
# Both install what they need first (Debian packages via scripts/setup; the pinned Python reference tools
# for cross-checks via scripts/setup-reference, required under CI, optional elsewhere).

SWIFT ?= swift
DEMO_DIR ?= demo-output

.PHONY: setup reference build test demo release clean

setup:
	@bash scripts/setup

reference:
	@if [ "$${CI:-}" = "true" ]; then bash scripts/setup-reference; \
	else bash scripts/setup-reference || echo "note: reference Python not installed; cross-check tests will skip" >&2; fi

build: setup
	$(SWIFT) build --product perturb

release: setup
	$(SWIFT) build -c release --product perturb

test: setup reference
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

demo: build
	@mkdir -p $(DEMO_DIR)
	$$($(SWIFT) build --show-bin-path)/perturb simulate --perturbations 40 --doubles 10 --cells-per 100 --genes 1000 \
		--cell-types 2 --batches 2 --seed 1 -o $(DEMO_DIR)/sim.h5ad
	$$($(SWIFT) build --show-bin-path)/perturb inspect $(DEMO_DIR)/sim.h5ad --celltype-col cell_type --batch-col batch

clean:
	rm -rf .build $(DEMO_DIR)
