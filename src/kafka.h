/* kafka.h - Kafka through librdkafka: the embedded broker (librdkafka's own
 * mock cluster on loopback), and the kafka source and sink of the runtime.
 * (Placeholder until the Kafka issue lands.) */
#ifndef SP_KAFKA_H
#define SP_KAFKA_H

#endif
