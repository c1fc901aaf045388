/* kafka.c - Kafka through librdkafka: see kafka.h.
 * (Placeholder until the Kafka issue lands.) */
#include "kafka.h"
