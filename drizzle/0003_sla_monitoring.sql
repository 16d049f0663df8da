CREATE TABLE "job_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"ticket_id" text,
	"metric" text,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"deliveries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"notifications" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"renotify_at" timestamp with time zone,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sla_policy_sets" (
	"id" text PRIMARY KEY NOT NULL,
	"body" jsonb NOT NULL,
	"version" integer NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_snapshots" (
	"bucket" timestamp with time zone PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"checks" integer DEFAULT 1 NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_ticket_marks" (
	"ticket_id" text NOT NULL,
	"key" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_ticket_marks_ticket_id_key_pk" PRIMARY KEY("ticket_id","key")
);
--> statement-breakpoint
ALTER TABLE "sla_ticket_marks" ADD CONSTRAINT "sla_ticket_marks_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sla_alerts_dedupe_idx" ON "sla_alerts" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "sla_alerts_created_idx" ON "sla_alerts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sla_alerts_status_idx" ON "sla_alerts" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "sla_alerts_open_idx" ON "sla_alerts" USING btree ("kind") WHERE "sla_alerts"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "tickets_updated_at_idx" ON "tickets" USING btree ("updated_at");