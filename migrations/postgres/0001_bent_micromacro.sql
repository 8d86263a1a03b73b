CREATE TABLE "http_rate_limits" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"hits" integer NOT NULL,
	CONSTRAINT "http_rate_limits_scope_key_window_start_pk" PRIMARY KEY("scope","key","window_start")
);
