/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initial packets: the RFC 9001 Appendix A (v1) and RFC 9369 Appendix A
 * (v2) sample packets, key schedule vectors, an independent packet builder
 * (checked to reproduce the RFC packets byte for byte) for frame and header
 * cases, corruption, truncation at every length, and a heap-allocation
 * count on the cached-key packet path.
 *
 * The hex below is the RFC text as published (copied from the RFC sources,
 * not retyped).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <tlsfp/quic.h>

#include "check.h"
#include "rfc9001_vectors.h"
#include "quic/quic_internal.h"

/* RFC 9001 A.2 / RFC 9369 A.2: the CRYPTO frame (ClientHello) of the client Initial */
static const char CLIENT_CRYPTO[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff";

/* RFC 9001 A.2: unprotected header, packet number 2 */
static const char V1_CLIENT_HEADER[] = "c300000001088394c8f03e5157080000449e00000002";

/* RFC 9001 A.3 / RFC 9369 A.3: server payload, ACK + CRYPTO (ServerHello) */
static const char SERVER_PAYLOAD[] =
	"02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
	"88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
	"0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
	"020304";

/* RFC 9001 A.3: unprotected header, packet number 1 */
static const char V1_SERVER_HEADER[] = "c1000000010008f067a5502a4262b50040750001";

/* RFC 9369 A.2: unprotected header, packet number 2 */
static const char V2_CLIENT_HEADER[] = "d36b3343cf088394c8f03e5157080000449e00000002";

/* RFC 9369 A.2: the protected client Initial (1200 bytes) */
static const char V2_CLIENT_PACKET[] =
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
	"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
	"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
	"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
	"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
	"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
	"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
	"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
	"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
	"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
	"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
	"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
	"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
	"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
	"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
	"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
	"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
	"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
	"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
	"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
	"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
	"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
	"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
	"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
	"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
	"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
	"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
	"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
	"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
	"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
	"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
	"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
	"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
	"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
	"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
	"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
	"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
	"a18b2faa745b6fe189cf772a9f84cbfc";

/* RFC 9369 A.3: unprotected header, packet number 1 */
static const char V2_SERVER_HEADER[] = "d16b3343cf0008f067a5502a4262b50040750001";

/* RFC 9369 A.3: the protected server Initial */
static const char V2_SERVER_PACKET[] =
	"dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
	"baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
	"f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
	"c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
	"4bed8521e2e140";

static const uint8_t RFC_DCID[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t RFC_SERVER_SCID[8] = {0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5};

static struct tlsfp_quic_ctx *ctx;
static struct tlsfp_quic_initial out; /* ~5 KB: keep it off the stack */

/* ---- helpers ---------------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	abort(); /* a broken vector is a broken test */
}

/* Decode a hex string into out (cap bytes); returns the byte count. */
static size_t
unhex(const char *s, uint8_t *o, size_t cap)
{
	size_t n = strlen(s) / 2;

	if (strlen(s) % 2 != 0 || n > cap)
		abort();
	for (size_t i = 0; i < n; i++)
		o[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	return n;
}

static bool
eq_hex(const uint8_t *p, size_t len, const char *hex)
{
	uint8_t buf[TLSFP_QUIC_MAX_PACKET];
	size_t n = unhex(hex, buf, sizeof(buf));

	return n == len && memcmp(p, buf, n) == 0;
}

/* Open a copy of exactly len bytes on the heap, so ASan sees any over-read. */
static enum tlsfp_quic_result
open_exact(const uint8_t *p, size_t len, const uint8_t *odcid, uint8_t odcid_len, bool from_server)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum tlsfp_quic_result rc;

	if (copy == NULL)
		abort();
	if (len)
		memcpy(copy, p, len);
	rc = tlsfp_quic_open_initial(ctx, copy, len, odcid, odcid_len, from_server, &out);
	free(copy);
	return rc;
}

/*
 * An independent Initial packet builder (RFC 9000 §17.2.2, RFC 9001 §5):
 * header with a 2-byte Length varint, AES-128-GCM seal, then header
 * protection. Keys come from tlsfp_quic_derive_keys, which test_keys pins
 * to the RFC values; the cipher work here uses OpenSSL directly.
 */
struct spec {
	uint32_t version;
	const uint8_t *dcid;
	uint8_t dcid_len;
	const uint8_t *scid;
	uint8_t scid_len;
	size_t token_len;
	uint64_t pn;
	unsigned int pn_len;
	bool from_server;
	const uint8_t *key_cid; /* NULL: the dcid */
	uint8_t key_cid_len;
	uint8_t *unprotected_header; /* optional copy-out */
	size_t *header_len;
};

static size_t
build(const struct spec *s, const uint8_t *payload, size_t plen, uint8_t *o)
{
	struct tlsfp_quic_keys k;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], mask[16];
	size_t n = 0, pn_off, length = s->pn_len + plen + 16;
	int outl = 0;
	unsigned int type = s->version == TLSFP_QUIC_V2 ? 1 : 0;

	if (c == NULL || length >= 16384 || s->token_len >= 16384)
		abort();
	if (tlsfp_quic_derive_keys(ctx, s->version, s->key_cid ? s->key_cid : s->dcid,
				   s->key_cid ? s->key_cid_len : s->dcid_len, s->from_server,
				   &k) != 0)
		abort();
	o[n++] = (uint8_t)(0xc0 | type << 4 | (s->pn_len - 1));
	o[n++] = (uint8_t)(s->version >> 24);
	o[n++] = (uint8_t)(s->version >> 16);
	o[n++] = (uint8_t)(s->version >> 8);
	o[n++] = (uint8_t)s->version;
	o[n++] = s->dcid_len;
	if (s->dcid_len)
		memcpy(o + n, s->dcid, s->dcid_len);
	n += s->dcid_len;
	o[n++] = s->scid_len;
	if (s->scid_len)
		memcpy(o + n, s->scid, s->scid_len);
	n += s->scid_len;
	if (s->token_len < 64) {
		o[n++] = (uint8_t)s->token_len;
	} else {
		o[n++] = (uint8_t)(0x40 | s->token_len >> 8);
		o[n++] = (uint8_t)s->token_len;
	}
	memset(o + n, 0xaa, s->token_len);
	n += s->token_len;
	o[n++] = (uint8_t)(0x40 | length >> 8);
	o[n++] = (uint8_t)length;
	pn_off = n;
	for (unsigned int i = 0; i < s->pn_len; i++)
		o[n++] = (uint8_t)(s->pn >> (8 * (s->pn_len - 1 - i)));
	if (s->unprotected_header) {
		memcpy(s->unprotected_header, o, n);
		*s->header_len = n;
	}

	memcpy(nonce, k.iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(s->pn >> (8 * i));
	if (EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k.key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, o, (int)n) != 1 ||
	    (plen > 0 && EVP_EncryptUpdate(c, o + n, &outl, payload, (int)plen) != 1) ||
	    EVP_EncryptFinal_ex(c, o + n + plen, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, o + n + plen) != 1)
		abort();
	n += plen + 16;

	if (EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k.hp, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_EncryptUpdate(c, mask, &outl, o + pn_off + 4, 16) != 1 || outl != 16)
		abort();
	o[0] ^= mask[0] & 0x0f;
	for (unsigned int i = 0; i < s->pn_len; i++)
		o[pn_off + i] ^= mask[1 + i];
	EVP_CIPHER_CTX_free(c);
	return n;
}

/* ---- key schedule ----------------------------------------------------- */

static void
check_keys(uint32_t version, bool from_server, const char *secret, const char *key, const char *iv,
	   const char *hp)
{
	struct tlsfp_quic_keys k;

	memset(&k, 0, sizeof(k));
	CHECK_EQ_INT(tlsfp_quic_derive_keys(ctx, version, RFC_DCID, 8, from_server, &k), 0);
	CHECK(eq_hex(k.secret, sizeof(k.secret), secret));
	CHECK(eq_hex(k.key, sizeof(k.key), key));
	CHECK(eq_hex(k.iv, sizeof(k.iv), iv));
	CHECK(eq_hex(k.hp, sizeof(k.hp), hp));
}

static void
test_keys(void)
{
	struct tlsfp_quic_keys k;

	/* RFC 9001 A.1 */
	check_keys(TLSFP_QUIC_V1, false,
		   "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
		   "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
		   "9f50449e04a0e810283a1e9933adedd2");
	check_keys(TLSFP_QUIC_V1, true,
		   "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
		   "cf3a5331653c364c88f0f379b6067e37", "0ac1493ca1905853b0bba03e",
		   "c206b8d9b9f0f37644430b490eeaa314");
	/* RFC 9369 A.1 */
	check_keys(TLSFP_QUIC_V2, false,
		   "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
		   "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
		   "45b95e15235d6f45a6b19cbcb0294ba9");
	check_keys(TLSFP_QUIC_V2, true,
		   "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
		   "82db637861d55e1d011f19ea71d5d2a7", "dd13c276499c0249d3310652",
		   "edf6d05c83121201b436e16877593c3a");
	/* Unknown version, oversized CID. */
	CHECK(tlsfp_quic_derive_keys(ctx, 0xff00001du, RFC_DCID, 8, false, &k) != 0);
	CHECK(tlsfp_quic_derive_keys(ctx, TLSFP_QUIC_V1, RFC_DCID, 21, false, &k) != 0);
}

/* ---- the RFC sample packets ------------------------------------------- */

static void
check_client_initial(uint32_t version, const char *packet_hex)
{
	uint8_t pkt[1200], crypto[245];

	CHECK_EQ_INT(unhex(packet_hex, pkt, sizeof(pkt)), 1200);
	unhex(CLIENT_CRYPTO, crypto, sizeof(crypto));
	CHECK(tlsfp_quic_looks_initial(pkt, sizeof(pkt)));
	memset(&out, 0xee, sizeof(out));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, sizeof(pkt), NULL, 0, false, &out),
		     TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.version, version);
	CHECK_EQ_INT(out.dcid_len, 8);
	CHECK(memcmp(out.dcid, RFC_DCID, 8) == 0);
	CHECK_EQ_INT(out.scid_len, 0);
	CHECK_EQ_INT(out.n_frames, 1);
	CHECK_EQ_INT(out.frames[0].offset, 0);
	CHECK_EQ_INT(out.frames[0].len, 241);
	CHECK(out.frames[0].data == out.plaintext + 4);
	CHECK(memcmp(out.frames[0].data, crypto + 4, 241) == 0);
	CHECK(eq_hex(out.plaintext, 16, "060040f1010000ed0303ebf8fa56f129"));
	/* The rest of the 1162-byte payload is PADDING. */
	{
		bool zeros = true;

		for (size_t i = 245; i < 1162; i++)
			zeros = zeros && out.plaintext[i] == 0;
		CHECK(zeros);
	}
}

static void
check_server_initial(uint32_t version, const char *packet_hex)
{
	uint8_t pkt[135], payload[99];

	CHECK_EQ_INT(unhex(packet_hex, pkt, sizeof(pkt)), 135);
	unhex(SERVER_PAYLOAD, payload, sizeof(payload));
	CHECK(tlsfp_quic_looks_initial(pkt, sizeof(pkt)));
	memset(&out, 0xee, sizeof(out));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, sizeof(pkt), RFC_DCID, 8, true, &out),
		     TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.version, version);
	CHECK_EQ_INT(out.dcid_len, 0);
	CHECK_EQ_INT(out.scid_len, 8);
	CHECK(memcmp(out.scid, RFC_SERVER_SCID, 8) == 0);
	CHECK(memcmp(out.plaintext, payload, sizeof(payload)) == 0);
	/* ACK 0200000000 then CRYPTO 06 00 405a: ServerHello, 90 bytes. */
	CHECK_EQ_INT(out.n_frames, 1);
	CHECK_EQ_INT(out.frames[0].offset, 0);
	CHECK_EQ_INT(out.frames[0].len, 90);
	CHECK(out.frames[0].data == out.plaintext + 9);
	CHECK(eq_hex(out.frames[0].data, 8, "020000560303eefc"));

	/* Wrong keys: client direction, or the packet's own (empty) DCID. */
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, sizeof(pkt), RFC_DCID, 8, false, &out),
		     TLSFP_QUIC_DECRYPT_FAILED);
	CHECK_EQ_INT(out.n_frames, 0);
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, sizeof(pkt), NULL, 0, true, &out),
		     TLSFP_QUIC_DECRYPT_FAILED);
}

/* The builder must reproduce the RFC packets exactly, or its other uses prove nothing. */
static void
check_builder(uint32_t version, const char *client_hdr, const char *client_pkt,
	      const char *server_hdr, const char *server_pkt)
{
	static uint8_t payload[1162], built[1300], expect[1300], hdr[64];
	size_t n, hlen = 0;
	struct spec s = {
		.version = version,
		.dcid = RFC_DCID,
		.dcid_len = 8,
		.pn = 2,
		.pn_len = 4,
		.unprotected_header = hdr,
		.header_len = &hlen,
	};

	memset(payload, 0, sizeof(payload));
	unhex(CLIENT_CRYPTO, payload, sizeof(payload));
	n = build(&s, payload, 1162, built);
	CHECK_EQ_INT(n, 1200);
	CHECK(eq_hex(hdr, hlen, client_hdr));
	CHECK(n == unhex(client_pkt, expect, sizeof(expect)) && memcmp(built, expect, n) == 0);

	s = (struct spec){
		.version = version,
		.scid = RFC_SERVER_SCID,
		.scid_len = 8,
		.pn = 1,
		.pn_len = 2,
		.from_server = true,
		.key_cid = RFC_DCID,
		.key_cid_len = 8,
		.unprotected_header = hdr,
		.header_len = &hlen,
	};
	n = build(&s, payload, unhex(SERVER_PAYLOAD, payload, sizeof(payload)), built);
	CHECK_EQ_INT(n, 135);
	CHECK(eq_hex(hdr, hlen, server_hdr));
	CHECK(n == unhex(server_pkt, expect, sizeof(expect)) && memcmp(built, expect, n) == 0);
}

/* ---- corruption and truncation ---------------------------------------- */

static void
test_flips(const char *packet_hex, bool from_server)
{
	uint8_t pkt[1200];
	size_t n = unhex(packet_hex, pkt, sizeof(pkt));
	const uint8_t *odcid = from_server ? RFC_DCID : NULL;
	size_t pn_off = 18; /* in all four RFC samples the packet number starts at byte 18 */
	int ok = 0, not_decrypt_failed_after_pn = 0;

	/* Any single flipped bit anywhere must stop the packet from opening. */
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			enum tlsfp_quic_result rc;

			pkt[i] ^= (uint8_t)(1u << bit);
			rc = tlsfp_quic_open_initial(ctx, pkt, n, odcid, 8, from_server, &out);
			pkt[i] ^= (uint8_t)(1u << bit);
			ok += rc == TLSFP_QUIC_OK;
			if (i >= pn_off && rc != TLSFP_QUIC_DECRYPT_FAILED)
				not_decrypt_failed_after_pn++;
		}
	}
	CHECK_EQ_INT(ok, 0);
	CHECK_EQ_INT(not_decrypt_failed_after_pn, 0);
	/* And the untouched packet still opens (the loop restored every byte). */
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, odcid, 8, from_server, &out),
		     TLSFP_QUIC_OK);
}

static void
test_truncation(const char *packet_hex, bool from_server)
{
	uint8_t pkt[1200];
	size_t n = unhex(packet_hex, pkt, sizeof(pkt));
	const uint8_t *odcid = from_server ? RFC_DCID : NULL;
	int not_bad = 0;

	CHECK_EQ_INT(open_exact(pkt, 0, odcid, 8, from_server), TLSFP_QUIC_NOT_INITIAL);
	/* The packet fills the datagram, so every shorter prefix is inconsistent. */
	for (size_t len = 1; len < n; len++)
		not_bad += open_exact(pkt, len, odcid, 8, from_server) != TLSFP_QUIC_BAD_PACKET;
	CHECK_EQ_INT(not_bad, 0);
	CHECK_EQ_INT(open_exact(pkt, n, odcid, 8, from_server), TLSFP_QUIC_OK);
}

/* ---- header outcomes -------------------------------------------------- */

static void
test_headers(void)
{
	static uint8_t pkt[5200];
	uint8_t v1[1200];
	size_t n = unhex(V1_CLIENT_PACKET, v1, sizeof(v1));

	/* Short header (1-RTT): not ours. */
	memcpy(pkt, v1, n);
	pkt[0] = 0x40;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_NOT_INITIAL);
	/* Long header Handshake (type 2) and 0-RTT (type 1) of v1. */
	pkt[0] = 0xe0;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_NOT_INITIAL);
	pkt[0] = 0xd0;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_NOT_INITIAL);
	/* v2 with type bits 0 is a v2 Retry, not an Initial. */
	pkt[0] = 0xc0;
	pkt[1] = 0x6b, pkt[2] = 0x33, pkt[3] = 0x43, pkt[4] = 0xcf;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_NOT_INITIAL);
	/* Version Negotiation (version 0). */
	pkt[1] = pkt[2] = pkt[3] = pkt[4] = 0;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_NOT_INITIAL);
	/* draft-29. */
	pkt[1] = 0xff, pkt[2] = 0x00, pkt[3] = 0x00, pkt[4] = 0x1d;
	CHECK(!tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_UNSUPPORTED_VERSION);
	CHECK_EQ_INT(out.version, 0xff00001du);
	CHECK_EQ_INT(out.n_frames, 0);

	/* looks_initial: 7 bytes is the least long header. */
	CHECK(tlsfp_quic_looks_initial(v1, 7));
	CHECK(!tlsfp_quic_looks_initial(v1, 6));
	CHECK(!tlsfp_quic_looks_initial(NULL, 0));
	/* Fixed bit cleared (RFC 9287 grease): still a candidate, and authenticated. */
	memcpy(pkt, v1, n);
	pkt[0] &= (uint8_t)~0x40;
	CHECK(tlsfp_quic_looks_initial(pkt, n));
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_DECRYPT_FAILED);

	/* CID lengths over 20. */
	memcpy(pkt, v1, n);
	pkt[5] = 21;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	CHECK_EQ_INT(out.dcid_len, 0);
	memcpy(pkt, v1, n);
	pkt[14] = 21;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	/* Token length past the datagram (2-byte varint 0x7fff). */
	memcpy(pkt, v1, n);
	pkt[15] = 0x7f, pkt[16] = 0xff;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	/* Length one past the datagram (0x449e = 1182 → 1183). */
	memcpy(pkt, v1, n);
	pkt[17] = 0x9f;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	/* Length too short for the header protection sample (19). */
	pkt[16] = 0x40, pkt[17] = 19;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	/* Length shorter than the datagram: the rest is a coalesced packet, ignored;
	 * here the tag moves, so it fails authentication, not parsing. */
	pkt[16] = 0x44, pkt[17] = 0x9d;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n, NULL, 0, false, &out),
		     TLSFP_QUIC_DECRYPT_FAILED);
	/* odcid over 20 bytes. */
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, v1, n, RFC_DCID, 21, false, &out),
		     TLSFP_QUIC_BAD_PACKET);

	/* A packet over TLSFP_QUIC_MAX_PACKET: header 18 + Length 5000. */
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, v1, 16);
	pkt[16] = 0x40 | (5000 >> 8), pkt[17] = 5000 & 0xff;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, 18 + 5000, NULL, 0, false, &out),
		     TLSFP_QUIC_BAD_PACKET);
	/* Exactly TLSFP_QUIC_MAX_PACKET passes the size check (and fails the tag). */
	pkt[16] = 0x40 | ((TLSFP_QUIC_MAX_PACKET - 18) >> 8);
	pkt[17] = (TLSFP_QUIC_MAX_PACKET - 18) & 0xff;
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, TLSFP_QUIC_MAX_PACKET, NULL, 0, false, &out),
		     TLSFP_QUIC_DECRYPT_FAILED);
	CHECK_EQ_INT(
		tlsfp_quic_open_initial(ctx, pkt, TLSFP_QUIC_MAX_PACKET - 1, NULL, 0, false, &out),
		TLSFP_QUIC_BAD_PACKET);

	/* Coalesced datagram: the first packet opens, trailing bytes are left alone. */
	memcpy(pkt, v1, n);
	memset(pkt + n, 0x5c, 100);
	CHECK_EQ_INT(tlsfp_quic_open_initial(ctx, pkt, n + 100, NULL, 0, false, &out),
		     TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.n_frames, 1);
}

/* ---- frames, through the builder -------------------------------------- */

static const uint8_t T_DCID[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static enum tlsfp_quic_result
open_built(uint32_t version, const uint8_t *payload, size_t plen, unsigned int pn_len)
{
	static uint8_t pkt[TLSFP_QUIC_MAX_PACKET + 64];
	struct spec s = {
		.version = version,
		.dcid = T_DCID,
		.dcid_len = 8,
		.pn = 7,
		.pn_len = pn_len,
	};
	size_t n = build(&s, payload, plen, pkt);

	return open_exact(pkt, n, NULL, 0, false);
}

static void
test_frames(void)
{
	static uint8_t p[TLSFP_QUIC_MAX_PACKET];
	size_t n = 0;

	/* Every allowed frame type; two CRYPTO frames, out of order. */
	p[n++] = 0x01;						    /* PING */
	p[n++] = 0x00, p[n++] = 0x00, p[n++] = 0x00;		    /* PADDING */
	p[n++] = 0x03;						    /* ACK with ECN */
	p[n++] = 0x0a, p[n++] = 0x40, p[n++] = 0x10;		    /* largest 10, delay 16 */
	p[n++] = 0x02, p[n++] = 0x01;				    /* 2 ranges, first 1 */
	p[n++] = 0x01, p[n++] = 0x01, p[n++] = 0x00, p[n++] = 0x02; /* gap/len ×2 */
	p[n++] = 0x05, p[n++] = 0x00, p[n++] = 0x80, p[n++] = 0x00, p[n++] = 0x00, p[n++] = 0x01;
	p[n++] = 0x02, p[n++] = 0, p[n++] = 0, p[n++] = 0, p[n++] = 0; /* ACK, no ranges */
	p[n++] = 0x06, p[n++] = 0x40, p[n++] = 100, p[n++] = 3;	       /* CRYPTO off 100 */
	p[n++] = 'a', p[n++] = 'b', p[n++] = 'c';
	p[n++] = 0x1c, p[n++] = 0x0a, p[n++] = 0x06, p[n++] = 2, p[n++] = 'x', p[n++] = 'y';
	p[n++] = 0x1d, p[n++] = 0x00, p[n++] = 0; /* app close, empty reason */
	p[n++] = 0x06, p[n++] = 0x00, p[n++] = 5; /* CRYPTO off 0 */
	memcpy(p + n, "hello", 5), n += 5;
	p[n++] = 0x06, p[n++] = 0x07, p[n++] = 0; /* empty CRYPTO: not listed */
	p[n++] = 0x00, p[n++] = 0x00;
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, p, n, 1), TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.n_frames, 2);
	CHECK_EQ_INT(out.frames[0].offset, 100);
	CHECK_EQ_INT(out.frames[0].len, 3);
	CHECK(memcmp(out.frames[0].data, "abc", 3) == 0);
	CHECK_EQ_INT(out.frames[1].offset, 0);
	CHECK_EQ_INT(out.frames[1].len, 5);
	CHECK(memcmp(out.frames[1].data, "hello", 5) == 0);
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V2, p, n, 2), TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.version, TLSFP_QUIC_V2);
	CHECK_EQ_INT(out.n_frames, 2);

	/* Frame types an Initial may not carry. */
	{
		static const uint8_t bad_types[] = {0x04, 0x05, 0x07, 0x08, 0x0f, 0x10,
						    0x18, 0x1e, 0x1f, 0x30, 0x3f};

		for (size_t i = 0; i < sizeof(bad_types); i++) {
			uint8_t q[8] = {0x01, bad_types[i], 0, 0, 0, 0, 0, 0};

			CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1),
				     TLSFP_QUIC_BAD_FRAME);
			CHECK_EQ_INT(out.n_frames, 0);
		}
	}
	/* CRYPTO with a non-minimal frame type encoding (0x4006). */
	{
		uint8_t q[] = {0x40, 0x06, 0x00, 0x01, 'z'};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
	}
	/* CRYPTO longer than the payload. */
	{
		uint8_t q[] = {0x06, 0x00, 0x0a, 'a', 'b', 'c'};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
	}
	/* CRYPTO cut inside its length varint. */
	{
		uint8_t q[] = {0x01, 0x01, 0x06, 0x00, 0x40};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
	}
	/* CRYPTO ending past 2^62 - 1. */
	{
		uint8_t q[] = {0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'z'};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
		q[9] = 0x00; /* zero length at the very end: allowed */
		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, 10, 1), TLSFP_QUIC_OK);
		CHECK_EQ_INT(out.n_frames, 0);
	}
	/* ACK claiming 2^62-1 ranges in a few bytes. */
	{
		uint8_t q[] = {0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
	}
	/* ACK_ECN missing its counts; CONNECTION_CLOSE reason past the end. */
	{
		uint8_t q[] = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
		uint8_t c[] = {0x1c, 0x00, 0x00, 0x05, 'a', 'b'};

		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, q, sizeof(q), 1), TLSFP_QUIC_BAD_FRAME);
		CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, c, sizeof(c), 1), TLSFP_QUIC_BAD_FRAME);
	}
	/* No frames at all (4-byte packet number keeps the sample in the packet). */
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, p, 0, 4), TLSFP_QUIC_BAD_FRAME);
	/* Too short to sample: 1-byte packet number + 2 bytes + tag = Length 19. */
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, (const uint8_t *)"\x01\x01", 2, 1),
		     TLSFP_QUIC_BAD_PACKET);
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, (const uint8_t *)"\x01\x01\x01", 3, 1),
		     TLSFP_QUIC_OK);

	/* TLSFP_QUIC_MAX_FRAMES one-byte CRYPTO frames fit; one more does not. */
	n = 0;
	for (int i = 0; i <= TLSFP_QUIC_MAX_FRAMES; i++) {
		p[n++] = 0x06, p[n++] = (uint8_t)i, p[n++] = 1, p[n++] = (uint8_t)('A' + i % 26);
	}
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, p, n - 4, 1), TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.n_frames, TLSFP_QUIC_MAX_FRAMES);
	CHECK_EQ_INT(out.frames[63].offset, 63);
	CHECK_EQ_INT(out.frames[63].data[0], 'A' + 63 % 26);
	CHECK_EQ_INT(open_built(TLSFP_QUIC_V1, p, n, 1), TLSFP_QUIC_BAD_FRAME);
	CHECK_EQ_INT(out.n_frames, 0);
}

/* Header shapes through the builder: token, CID lengths, packet numbers. */
static void
test_header_shapes(void)
{
	static uint8_t pkt[TLSFP_QUIC_MAX_PACKET + 64];
	static const uint8_t cid20[20] = {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
					  0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d,
					  0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33};
	uint8_t payload[] = {0x06, 0x00, 0x02, 'h', 'i', 0x00, 0x00};
	struct spec s = {
		.version = TLSFP_QUIC_V1,
		.dcid = cid20,
		.dcid_len = 20,
		.scid = cid20,
		.scid_len = 20,
		.token_len = 70,
		.pn = 0x1234,
		.pn_len = 2,
	};
	size_t n = build(&s, payload, sizeof(payload), pkt);

	CHECK_EQ_INT(open_exact(pkt, n, NULL, 0, false), TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.dcid_len, 20);
	CHECK_EQ_INT(out.scid_len, 20);
	CHECK(memcmp(out.dcid, cid20, 20) == 0 && memcmp(out.scid, cid20, 20) == 0);
	CHECK_EQ_INT(out.n_frames, 1);
	CHECK(out.n_frames == 1 && memcmp(out.frames[0].data, "hi", 2) == 0);

	/* Zero-length DCID (a client after a Retry with an empty SCID). */
	s = (struct spec){.version = TLSFP_QUIC_V2,
			  .dcid = cid20,
			  .dcid_len = 0,
			  .pn = 0xabcdef01,
			  .pn_len = 4};
	n = build(&s, payload, sizeof(payload), pkt);
	CHECK_EQ_INT(open_exact(pkt, n, NULL, 0, false), TLSFP_QUIC_OK);
	CHECK_EQ_INT(out.dcid_len, 0);
	CHECK_EQ_INT(out.n_frames, 1);

	/* A client Initial keyed by an odcid other than its DCID. */
	s = (struct spec){.version = TLSFP_QUIC_V1,
			  .dcid = T_DCID,
			  .dcid_len = 8,
			  .pn = 3,
			  .pn_len = 3,
			  .key_cid = cid20,
			  .key_cid_len = 9};
	n = build(&s, payload, sizeof(payload), pkt);
	CHECK_EQ_INT(open_exact(pkt, n, cid20, 9, false), TLSFP_QUIC_OK);
	CHECK_EQ_INT(open_exact(pkt, n, NULL, 0, false), TLSFP_QUIC_DECRYPT_FAILED);
}

/* ---- key cache and heap use ------------------------------------------- */

static long n_allocs;

static void *
count_malloc(size_t n, const char *file, int line)
{
	(void)file, (void)line;
	n_allocs++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file, (void)line;
	n_allocs++;
	return realloc(p, n);
}

static void
count_free(void *p, const char *file, int line)
{
	(void)file, (void)line;
	free(p);
}

static void
test_cache(bool counting)
{
	uint8_t c1[1200], c2[1200], s1[135];
	size_t n1 = unhex(V1_CLIENT_PACKET, c1, sizeof(c1));
	size_t n2 = unhex(V2_CLIENT_PACKET, c2, sizeof(c2));
	size_t ns = unhex(V1_SERVER_PACKET, s1, sizeof(s1));
	long before;
	int bad = 0;

	/* Alternate versions and directions: every switch re-keys correctly. */
	for (int i = 0; i < 4; i++) {
		bad += tlsfp_quic_open_initial(ctx, c1, n1, NULL, 0, false, &out) != TLSFP_QUIC_OK;
		bad += tlsfp_quic_open_initial(ctx, s1, ns, RFC_DCID, 8, true, &out) !=
		       TLSFP_QUIC_OK;
		bad += tlsfp_quic_open_initial(ctx, c2, n2, NULL, 0, false, &out) != TLSFP_QUIC_OK;
	}
	CHECK_EQ_INT(bad, 0);

	/* Both slots now warm (v2 client, v1 server): hits allocate nothing. */
	if (!counting) {
		printf("test_quic: OpenSSL memory hooks unavailable, allocation check skipped\n");
		return;
	}
	before = n_allocs;
	for (int i = 0; i < 100; i++) {
		bad += tlsfp_quic_open_initial(ctx, c2, n2, NULL, 0, false, &out) != TLSFP_QUIC_OK;
		bad += tlsfp_quic_open_initial(ctx, s1, ns, RFC_DCID, 8, true, &out) !=
		       TLSFP_QUIC_OK;
		c2[600] ^= 1; /* and a failing tag on the warm path */
		bad += tlsfp_quic_open_initial(ctx, c2, n2, NULL, 0, false, &out) !=
		       TLSFP_QUIC_DECRYPT_FAILED;
		c2[600] ^= 1;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(n_allocs - before, 0);

	/* Misses too: v1 and v2 client Initials evict each other's keys. */
	before = n_allocs;
	for (int i = 0; i < 20; i++) {
		bad += tlsfp_quic_open_initial(ctx, c1, n1, NULL, 0, false, &out) != TLSFP_QUIC_OK;
		bad += tlsfp_quic_open_initial(ctx, c2, n2, NULL, 0, false, &out) != TLSFP_QUIC_OK;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(n_allocs - before, 0);
}

int
main(void)
{
	/* Must precede any libcrypto allocation. */
	bool counting = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) == 1;

	ctx = tlsfp_quic_ctx_create();
	CHECK(ctx != NULL);
	if (ctx == NULL)
		return check_exit("test_quic");
	/* The hooks see libcrypto's allocations (the context made some). */
	CHECK(!counting || n_allocs > 0);

	test_keys();
	check_builder(TLSFP_QUIC_V1, V1_CLIENT_HEADER, V1_CLIENT_PACKET, V1_SERVER_HEADER,
		      V1_SERVER_PACKET);
	check_builder(TLSFP_QUIC_V2, V2_CLIENT_HEADER, V2_CLIENT_PACKET, V2_SERVER_HEADER,
		      V2_SERVER_PACKET);
	check_client_initial(TLSFP_QUIC_V1, V1_CLIENT_PACKET);
	check_server_initial(TLSFP_QUIC_V1, V1_SERVER_PACKET);
	check_client_initial(TLSFP_QUIC_V2, V2_CLIENT_PACKET);
	check_server_initial(TLSFP_QUIC_V2, V2_SERVER_PACKET);
	test_flips(V1_CLIENT_PACKET, false);
	test_flips(V2_SERVER_PACKET, true);
	test_truncation(V1_CLIENT_PACKET, false);
	test_truncation(V1_SERVER_PACKET, true);
	test_truncation(V2_CLIENT_PACKET, false);
	test_truncation(V2_SERVER_PACKET, true);
	test_headers();
	test_frames();
	test_header_shapes();
	test_cache(counting);

	tlsfp_quic_ctx_destroy(ctx);
	tlsfp_quic_ctx_destroy(NULL);
	return check_exit("test_quic");
}
