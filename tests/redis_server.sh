# Sourced by the integration tests (lib.sh) and the rate-limit benchmark: a redis-server of
# their own on a free loopback port, with a password as in the original's development set-up
# (dagster) and its files in a folder of the caller's.

REDIS_PID=""
REDIS_PORT=""

# redis_server_start DIR: sets REDIS_PID and REDIS_PORT; 1 when no server would start.
redis_server_start() {
	local dir=$1 port
	mkdir -p "$dir"
	for _ in $(seq 1 20); do
		port=$((20000 + RANDOM % 40000))
		redis-server --bind 127.0.0.1 --port "$port" --requirepass dagster --dir "$dir" \
			--save '' --appendonly no --logfile "$dir/redis.log" &
		REDIS_PID=$!
		for _ in $(seq 1 100); do
			kill -0 "$REDIS_PID" 2>/dev/null || break
			# Ours, not another's on the same port: the answer names our process. grep reads
			# it all, so that redis-cli is never cut off by a closed pipe.
			if redis-cli -p "$port" -a dagster --no-auth-warning info server 2>/dev/null |
				grep "^process_id:$REDIS_PID" >/dev/null; then
				REDIS_PORT=$port
				return 0
			fi
			sleep 0.05
		done
		redis_server_stop
	done
	return 1
}

redis_server_stop() {
	[ -n "$REDIS_PID" ] || return 0
	kill "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=""
}
