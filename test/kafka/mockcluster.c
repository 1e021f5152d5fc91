/*
 * A Kafka cluster for tests: librdkafka's mock cluster (the real wire protocol) with N brokers on loopback.
 * Prints "bootstrap HOST:PORT,..." on stdout, then reads commands on stdin, one per line:
 *   topic NAME PARTITIONS     create a topic (the mock lacks CreateTopics over the wire)
 *   down ID / up ID           take broker ID (1..N) down or bring it back
 *   quit                      stop (also on end of input)
 * Each command is answered with "ok" or "error ...". Build: cc mockcluster.c -lrdkafka
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 3;
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err) != RD_KAFKA_CONF_OK) { fprintf(stderr, "%s\n", err); return 1; }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", err); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "cannot create the mock cluster\n"); return 1; }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    char name[512];
    int n = 0;
    if (sscanf(line, "topic %511s %d", name, &n) == 2) {
      rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, n, brokers < 3 ? brokers : 3);
      if (e) printf("error %s\n", rd_kafka_err2str(e)); else printf("ok\n");
    } else if (sscanf(line, "down %d", &n) == 1) {
      rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_down(mc, n);
      if (e) printf("error %s\n", rd_kafka_err2str(e)); else printf("ok\n");
    } else if (sscanf(line, "up %d", &n) == 1) {
      rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_up(mc, n);
      if (e) printf("error %s\n", rd_kafka_err2str(e)); else printf("ok\n");
    } else if (strncmp(line, "quit", 4) == 0) {
      break;
    } else {
      printf("error unknown command\n");
    }
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
