-- Twilio's status callbacks (src/sms/sms-status.service.ts) find a delivery of a workspace
-- by the provider's message id; without this index each callback scanned the workspace's
-- deliveries. Partial: deliveries not yet accepted by a provider have no id.
CREATE INDEX `deliveries_message_idx` ON `deliveries` (`workspace_id`,`message_id`) WHERE "deliveries"."message_id" IS NOT NULL;
