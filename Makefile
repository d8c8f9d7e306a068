.PHONY: run test bench fuzz
run:   ## the whole app with demo data on the embedded defaults
	./scripts/run
test:  ## the whole test suite on PostgreSQL and Redis
	./scripts/test
