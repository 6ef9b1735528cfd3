/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One complete handshake message of one direction → the flow's pending
 * record. The same for TLS over TCP, QUIC and DTLS; only the counters (and
 * DTLS's ClientHello cookie) differ.
 *
 * The client's message is its first ClientHello (the only one that is
 * fingerprinted). The server's is its ServerHello; a HelloRetryRequest is
 * noted on the record and the caller goes on to the next message.
 */
#include "pipeline/pipeline_internal.h"
#include "pipeline/record_fill.h"

static enum tlsfp_pl_hs_result
client_hello(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const uint8_t *msg,
	     size_t len, uint64_t ts)
{
	enum tlsfp_parse_result r = f->dtls ? tlsfp_parse_client_hello_dtls(msg, len, p->ch)
					    : tlsfp_parse_client_hello(msg, len, p->ch);

	if (r != TLSFP_PARSE_OK) {
		tlsfp_count_parse_result(&p->ctr, r);
		return TLSFP_PL_HS_FAILED;
	}
	if (f->quic)
		TLSFP_COUNT(&p->ctr, QUIC_CLIENT_HELLO);
	else if (f->dtls)
		TLSFP_COUNT(&p->ctr, DTLS_CLIENT_HELLO);
	else
		TLSFP_COUNT(&p->ctr, TLS_CLIENT_HELLO);
	if (f->dir[d].reasm)
		TLSFP_COUNT(&p->ctr, REASM_COMPLETED);
	tlsfp_record_fill_ch(tlsfp_pl_record(p, f), p->ch, p->fp_scratch, p->fp_scratch_cap);
	f->ch_done = 1;
	f->dir[d].done = 1;
	tlsfp_sb_release(&p->pool, &f->dir[d].sb);
	if (f->sh_done)
		tlsfp_pl_complete(p, f, ts);
	else
		tlsfp_flow_set_class(&p->ft, f, TLSFP_FLOW_C_AWAIT, ts);
	return TLSFP_PL_HS_DONE;
}

static enum tlsfp_pl_hs_result
server_hello(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const uint8_t *msg,
	     size_t len, uint64_t ts)
{
	enum tlsfp_parse_result r = tlsfp_parse_server_hello(msg, len, p->sh);

	if (r != TLSFP_PARSE_OK) {
		tlsfp_count_parse_result(&p->ctr, r);
		return TLSFP_PL_HS_FAILED;
	}
	if (p->sh->is_hello_retry_request) {
		TLSFP_COUNT(&p->ctr, TLS_HELLO_RETRY_REQUEST);
		tlsfp_pl_record(p, f)->flags |= TLSFP_REC_F_HRR;
		return TLSFP_PL_HS_RETRY;
	}
	if (f->quic)
		TLSFP_COUNT(&p->ctr, QUIC_SERVER_HELLO);
	else if (f->dtls)
		TLSFP_COUNT(&p->ctr, DTLS_SERVER_HELLO);
	else
		TLSFP_COUNT(&p->ctr, TLS_SERVER_HELLO);
	if (f->dir[d].reasm)
		TLSFP_COUNT(&p->ctr, REASM_COMPLETED);
	tlsfp_record_fill_sh(tlsfp_pl_record(p, f), p->sh, p->fp_scratch, p->fp_scratch_cap);
	f->sh_done = 1;
	f->dir[d].done = 1;
	tlsfp_sb_release(&p->pool, &f->dir[d].sb);
	if (f->ch_done)
		tlsfp_pl_complete(p, f, ts);
	return TLSFP_PL_HS_DONE;
}

enum tlsfp_pl_hs_result
tlsfp_pl_handshake(struct tlsfp_pipeline *p, struct tlsfp_flow *f, unsigned d, const uint8_t *msg,
		   size_t len, uint64_t ts)
{
	if (d == f->client_dir)
		return client_hello(p, f, d, msg, len, ts);
	return server_hello(p, f, d, msg, len, ts);
}
