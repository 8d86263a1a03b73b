CREATE TABLE "mailbox_messages" (
	"mailbox_id" integer NOT NULL,
	"uid_validity" bigint NOT NULL,
	"uid" bigint NOT NULL,
	"inbound_id" integer NOT NULL,
	"disposition" text NOT NULL,
	CONSTRAINT "mailbox_messages_mailbox_id_uid_validity_uid_pk" PRIMARY KEY("mailbox_id","uid_validity","uid")
);
--> statement-breakpoint
ALTER TABLE "mailbox_messages" ADD CONSTRAINT "mailbox_messages_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_messages" ADD CONSTRAINT "mailbox_messages_inbound_id_inbound_id_fk" FOREIGN KEY ("inbound_id") REFERENCES "public"."inbound"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mailbox_messages_inbound_idx" ON "mailbox_messages" USING btree ("inbound_id");