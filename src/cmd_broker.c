/* cmd_broker.c - `streampipe broker`: the embedded Kafka-protocol broker.
 * (Placeholder until the Kafka issue lands.) */
#include "commands.h"

#include <stdio.h>

int sp_cmd_broker(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "streampipe broker: arrives with the Kafka issue (#4)\n");
    return 2;
}
