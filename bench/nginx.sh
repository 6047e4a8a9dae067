# bench/nginx.sh - sourced by the bench scripts: nginx on 127.0.0.1 serving
# a folder with ETags, its config, pid and error log in the work folder.
#   nginx_need (installs it if missing)   nginx_start WORK ROOT PORT   nginx_stop WORK
nginx_need() {
	[ -x /usr/sbin/nginx ] && return 0
	echo "bench: installing nginx"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
}
nginx_start() {
	cat > "$1/nginx.conf" <<CONF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 512; }
http {
	access_log off;
	keepalive_requests 100000;
	types { text/html html; application/json json; }
	server { listen 127.0.0.1:$3; root $2; etag on; }
}
CONF
	/usr/sbin/nginx -c "$1/nginx.conf" -p "$1"
	sleep 0.3
}
nginx_stop() {
	if [ -f "$1/nginx.pid" ]; then
		kill "$(cat "$1/nginx.pid")" 2>/dev/null || true
		rm -f "$1/nginx.pid"
		sleep 0.2
	fi
}
