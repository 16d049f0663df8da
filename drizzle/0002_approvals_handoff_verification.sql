CREATE TABLE "account_actions" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text,
	"call_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"action" text NOT NULL,
	"arguments" jsonb NOT NULL,
	"authorized_by" text NOT NULL,
	"approval_id" text,
	"outcome" jsonb NOT NULL,
	"executed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"call_id" text NOT NULL,
	"agent" text NOT NULL,
	"action" text NOT NULL,
	"arguments" jsonb NOT NULL,
	"customer_id" text,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "customer_accounts" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"credit_cents" bigint DEFAULT 0 NOT NULL,
	"refunded_cents" bigint DEFAULT 0 NOT NULL,
	"mfa_reset_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "run_state" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "run_backend" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "assignee" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "handoff" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "verification" jsonb;--> statement-breakpoint
ALTER TABLE "account_actions" ADD CONSTRAINT "account_actions_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_actions_call_idx" ON "account_actions" USING btree ("ticket_id","call_id");--> statement-breakpoint
CREATE INDEX "account_actions_customer_idx" ON "account_actions" USING btree ("customer_id","executed_at");--> statement-breakpoint
CREATE INDEX "approvals_status_idx" ON "approvals" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "approvals_ticket_idx" ON "approvals" USING btree ("ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_ticket_call_idx" ON "approvals" USING btree ("ticket_id","call_id");