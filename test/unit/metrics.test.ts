import { describe, expect, it } from "vitest";
import { idleStats, type RuntimeStats } from "../../src/api/types.js";
import { createMetrics, metricName } from "../../src/metrics/registry.js";
import { FakeStore } from "../helpers/fake-store.js";

const rt = (counters: Record<string, number>, over: Partial<RuntimeStats["dataplane"]> = {}) => {
  const s = idleStats();
  return { ...s, dataplane: { ...s.dataplane, counters, ...over } };
};

describe("metric names", () => {
  it("are tlsfp_<counter>_total", () => {
    expect(metricName("reassembly_timeout")).toBe("tlsfp_reassembly_timeout_total");
    expect(metricName("tls_server_hello_without_client_hello")).toBe(
      "tlsfp_tls_server_hello_without_client_hello_total",
    );
    expect(metricName("odd-Name.x")).toBe("tlsfp_odd_name_x_total");
  });
});

describe("createMetrics", () => {
  it("exports the required counters as 0 before any data plane exists", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const text = await m.render(idleStats(), new FakeStore());
    for (const c of ["packets", "bytes", "handshakes", "records_dropped"]) {
      expect(text).toMatch(new RegExp(`^# TYPE tlsfp_${c}_total counter$`, "m"));
      expect(text).toMatch(new RegExp(`^tlsfp_${c}_total 0$`, "m"));
    }
    expect(text).toMatch(/^tlsfp_dataplane_running 0$/m);
    expect(text).toMatch(/^tlsfp_dataplane_heartbeat_age_seconds -1$/m);
    expect(text).not.toMatch(/^process_/m);
  });

  it("follows absolute counter values, adds new counters, and resets with a restart", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const store = new FakeStore();
    let text = await m.render(rt({ handshakes: 10, reassembly_timeout: 2 }), store);
    expect(text).toMatch(/^tlsfp_handshakes_total 10$/m);
    expect(text).toMatch(/^tlsfp_reassembly_timeout_total 2$/m);
    text = await m.render(rt({ handshakes: 25, quic_decrypt_failed: 1 }, { running: true }), store);
    expect(text).toMatch(/^tlsfp_handshakes_total 25$/m);
    expect(text).toMatch(/^tlsfp_quic_decrypt_failed_total 1$/m);
    expect(text).toMatch(/^tlsfp_dataplane_running 1$/m);
    text = await m.render(rt({ handshakes: 3 }), store);
    expect(text).toMatch(/^tlsfp_handshakes_total 3$/m);
  });

  it("does not let a data plane counter shadow a control plane metric", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const text = await m.render(rt({ ingest_records: 99 }), new FakeStore());
    expect(text).toMatch(/^tlsfp_ingest_records_total 0$/m);
  });

  it("counts stream drops and clients", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.streamClients(1);
    m.streamClients(1);
    m.streamClients(-1);
    m.streamDropped(4);
    expect(m.streamClientCount()).toBe(1);
    expect(m.streamDroppedTotal()).toBe(4);
    const text = await m.render(idleStats(), new FakeStore());
    expect(text).toMatch(/^tlsfp_api_stream_clients 1$/m);
    expect(text).toMatch(/^tlsfp_api_stream_dropped_total 4$/m);
  });

  it("two registries do not collide (one per app)", async () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(await a.render(idleStats(), new FakeStore())).toMatch(
      /^process_cpu_user_seconds_total/m,
    );
    expect(await b.render(idleStats(), new FakeStore())).toMatch(/^tlsfp_handshakes_total 0$/m);
  });
});
