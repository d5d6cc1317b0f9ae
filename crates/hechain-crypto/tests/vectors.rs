//! Official test vectors for every primitive, with sources cited per test.

use hechain_crypto::{
    address_from_sec1_pubkey, hexser, keccak256, recover_signer, recover_signer_prehash, sha256, sm3, sm4_ctr_apply,
    sm4_decrypt_block, sm4_encrypt_block, to_checksum_address, AccountKey, AccountScheme, AccountSignature,
    CryptoError, NodeKey, NodePublicKey, NodeSignature, Suite,
};

fn h<const N: usize>(s: &str) -> [u8; N] {
    let compact: String = s.split_whitespace().collect();
    hexser::decode_fixed(&compact).expect("test vector hex")
}

fn hv(s: &str) -> Vec<u8> {
    let compact: String = s.split_whitespace().collect();
    hexser::decode(&compact).expect("test vector hex")
}

// ---------------------------------------------------------------------------------------------
// Hashes

/// GB/T 32905-2016 (SM3), Appendix A, examples 1 and 2.
#[test]
fn sm3_gbt32905_examples() {
    assert_eq!(sm3(b"abc"), h::<32>("66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"));
    let msg = b"abcd".repeat(16);
    assert_eq!(msg.len(), 64);
    assert_eq!(sm3(&msg), h::<32>("debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"));
    assert_eq!(Suite::Gm.hash(b"abc"), sm3(b"abc"));
}

/// FIPS 180-2 appendix B.1 ("abc") for SHA-256; Keccak-256 of the empty string and of "abc" as
/// used by Ethereum (original Keccak padding, e.g. the well-known empty-code hash c5d2…a470).
#[test]
fn sha256_and_keccak256_known_answers() {
    assert_eq!(sha256(b"abc"), h::<32>("ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad"));
    assert_eq!(Suite::Standard.hash(b"abc"), sha256(b"abc"));
    assert_eq!(keccak256(b""), h::<32>("c5d24601 86f7233c 927e7db2 dcc703c0 e500b653 ca82273b 7bfad804 5d85a470"));
    assert_eq!(keccak256(b"abc"), h::<32>("4e03657a ea45a94f c7d47ba8 26c8d667 c0d1e6e3 3a64a036 ec44f58f a12d6c45"));
}

// ---------------------------------------------------------------------------------------------
// SM4

/// GB/T 32907-2016 (SM4), Appendix A, examples 1 and 2.
#[test]
fn sm4_gbt32907_examples() {
    let key = h::<16>("0123456789abcdeffedcba9876543210");
    let plain = key;

    let mut block = plain;
    sm4_encrypt_block(&key, &mut block);
    assert_eq!(block, h::<16>("681edf34d206965e86b3e94f536e4246"));
    sm4_decrypt_block(&key, &mut block);
    assert_eq!(block, plain);

    // Example 2: encrypt the same plaintext 1,000,000 times with the same key.
    let mut block = plain;
    for _ in 0..1_000_000 {
        sm4_encrypt_block(&key, &mut block);
    }
    assert_eq!(block, h::<16>("595298c7c6fd271f0402f804c33d3f66"));
}

#[test]
fn sm4_ctr_round_trip_and_keystream() {
    let key = h::<16>("0123456789abcdeffedcba9876543210");
    let iv = h::<16>("000102030405060708090a0b0c0d0e0f");
    let plain: Vec<u8> = (0..100u8).collect();

    let mut data = plain.clone();
    sm4_ctr_apply(&key, &iv, &mut data);
    assert_ne!(data, plain);
    sm4_ctr_apply(&key, &iv, &mut data);
    assert_eq!(data, plain);

    // CTR definition (NIST SP 800-38A): the first keystream block is E_K(IV), the second
    // E_K(IV + 1).
    let mut zeros = [0u8; 32];
    sm4_ctr_apply(&key, &iv, &mut zeros);
    let mut ks0 = iv;
    sm4_encrypt_block(&key, &mut ks0);
    let mut ks1 = h::<16>("000102030405060708090a0b0c0d0e10");
    sm4_encrypt_block(&key, &mut ks1);
    assert_eq!(zeros[..16], ks0);
    assert_eq!(zeros[16..], ks1);

    // A counter at its maximum wraps to zero instead of failing.
    let mut data = [7u8; 48];
    sm4_ctr_apply(&key, &[0xff; 16], &mut data);
    sm4_ctr_apply(&key, &[0xff; 16], &mut data);
    assert_eq!(data, [7u8; 48]);
}

// ---------------------------------------------------------------------------------------------
// SM2

/// GM/T 0003.5-2012 and GB/T 32918.5-2017 (SM2 part 5: parameter definitions), Appendix A
/// "digital signature" example on the recommended curve sm2p256v1: ID "1234567812345678",
/// message "message digest". The published numbers were cross-checked against several
/// independent implementations' test suites (OpenSSL's sm2_internal_test, GmSSL, gmsm).
const SM2_D: &str = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
const SM2_PX: &str = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
const SM2_PY: &str = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
const SM2_E: &str = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640";
const SM2_R: &str = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
const SM2_S: &str = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";

#[test]
fn sm2_gmt0003_signature_example() {
    let key = AccountKey::from_hex(AccountScheme::Sm2, SM2_D).unwrap();

    // The public key derived from d matches the published P = (x, y).
    let mut expected_pub = vec![0x04];
    expected_pub.extend_from_slice(&h::<32>(SM2_PX));
    expected_pub.extend_from_slice(&h::<32>(SM2_PY));
    assert_eq!(key.public_key_uncompressed().to_vec(), expected_pub);

    // The published e = SM3(Z_A || M), with Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA),
    // computed here from the curve parameters of GB/T 32918.5 — confirms the ID convention.
    let a = h::<32>("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
    let b = h::<32>("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
    let gx = h::<32>("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
    let gy = h::<32>("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");
    let id = hechain_crypto::SM2_DEFAULT_ID.as_bytes();
    let entl = ((id.len() * 8) as u16).to_be_bytes();
    let za = Suite::Gm.hash_parts(&[&entl, id, &a, &b, &gx, &gy, &h::<32>(SM2_PX), &h::<32>(SM2_PY)]);
    assert_eq!(Suite::Gm.hash_parts(&[&za, b"message digest"]), h::<32>(SM2_E));

    // The published signature verifies (account path and node path).
    let mut rs = [0u8; 64];
    rs[..32].copy_from_slice(&h::<32>(SM2_R));
    rs[32..].copy_from_slice(&h::<32>(SM2_S));
    let sig = AccountSignature::Sm2 { public_key: key.public_key_compressed(), sig: rs };
    assert_eq!(recover_signer(b"message digest", &sig).unwrap(), key.address());
    assert!(matches!(recover_signer(b"message digesT", &sig), Err(CryptoError::SignatureMismatch)));
    let node_pk = NodePublicKey::from_bytes(Suite::Gm, &expected_pub).unwrap();
    node_pk.verify(Suite::Gm, b"message digest", &NodeSignature(rs)).unwrap();

    // Round trip with our own (deterministic-nonce) signatures.
    let own = key.sign(b"message digest");
    assert_eq!(recover_signer(b"message digest", &own).unwrap(), key.address());
    let node = NodeKey::from_bytes(Suite::Gm, &h::<32>(SM2_D)).unwrap();
    assert_eq!(node.public_key(), node_pk);
    let nsig = node.sign(b"message digest");
    node_pk.verify(Suite::Gm, b"message digest", &nsig).unwrap();

    // SM2 address = sm3(X || Y)[12..].
    let mut xy = h::<32>(SM2_PX).to_vec();
    xy.extend_from_slice(&h::<32>(SM2_PY));
    assert_eq!(key.address()[..], sm3(&xy)[12..]);
    assert_eq!(address_from_sec1_pubkey(AccountScheme::Sm2, &expected_pub).unwrap(), key.address());
}

#[test]
fn sm2_signature_with_wrong_embedded_key_fails() {
    let k1 = AccountKey::generate(AccountScheme::Sm2);
    let k2 = AccountKey::generate(AccountScheme::Sm2);
    let AccountSignature::Sm2 { sig, .. } = k1.sign(b"m") else {
        panic!("expected an SM2 signature");
    };
    let forged = AccountSignature::Sm2 { public_key: k2.public_key_compressed(), sig };
    assert!(matches!(recover_signer(b"m", &forged), Err(CryptoError::SignatureMismatch)));
    let garbage = AccountSignature::Sm2 { public_key: [0xaa; 33], sig };
    assert!(matches!(recover_signer(b"m", &garbage), Err(CryptoError::InvalidKey(_))));
    let zero_sig = AccountSignature::Sm2 { public_key: k1.public_key_compressed(), sig: [0; 64] };
    assert!(matches!(recover_signer(b"m", &zero_sig), Err(CryptoError::InvalidSignature(_))));
}

// ---------------------------------------------------------------------------------------------
// Ed25519

/// RFC 8032 section 7.1, TEST 1, TEST 2 and TEST 3: (secret key, public key, message, signature).
const RFC8032: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155
         5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da
         085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac
         18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[test]
fn ed25519_rfc8032_tests_1_to_3() {
    let mut items = Vec::new();
    for (secret, public, msg, sig) in RFC8032 {
        let key = NodeKey::from_bytes(Suite::Standard, &h::<32>(secret)).unwrap();
        assert_eq!(*key.secret_bytes(), h::<32>(secret));
        let pk = key.public_key();
        assert_eq!(pk.as_bytes(), &h::<32>(public)[..]);
        let msg = hv(msg);
        let expected = NodeSignature(h::<64>(sig));
        assert_eq!(key.sign(&msg), expected);
        pk.verify(Suite::Standard, &msg, &expected).unwrap();
        items.push((pk, msg, expected));
    }
    let refs: Vec<_> = items.iter().map(|(pk, m, s)| (pk, m.as_slice(), s)).collect();
    hechain_crypto::verify_node_batch(Suite::Standard, &refs).unwrap();
}

// ---------------------------------------------------------------------------------------------
// secp256k1

/// EIP-155 "Example": private key 0x4646…46, signing hash daf5a7…8e53, v = 37 (chain id 1,
/// recovery id 0), r and s as published (decimal in the EIP, hex here). The key's address
/// 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F is the widely published one for this key.
const EIP155_KEY: &str = "0x4646464646464646464646464646464646464646464646464646464646464646";
const EIP155_HASH: &str = "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";
const EIP155_R: &str = "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276";
const EIP155_S: &str = "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
const EIP155_ADDR: &str = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";

#[test]
fn secp256k1_eip155_example() {
    let key = AccountKey::from_hex(AccountScheme::Secp256k1, EIP155_KEY).unwrap();
    assert_eq!(to_checksum_address(&key.address()), EIP155_ADDR);

    let v = 37u8;
    let chain_id = 1u8;
    let recid = v - 35 - 2 * chain_id;
    assert_eq!(recid, 0);
    let sig = AccountSignature::secp256k1_from_rsv(&h(EIP155_R), &h(EIP155_S), recid);
    let hash = h::<32>(EIP155_HASH);
    assert_eq!(to_checksum_address(&recover_signer_prehash(&hash, &sig).unwrap()), EIP155_ADDR);

    // libsecp256k1 signs with RFC 6979 nonces, as the EIP's example did: same (r, s, v).
    assert_eq!(key.sign_prehash_secp256k1(&hash).unwrap(), sig);

    // Tampered hash: a different address (or an error), never the signer.
    let mut tampered = hash;
    tampered[0] ^= 1;
    if let Ok(addr) = recover_signer_prehash(&tampered, &sig) {
        assert_ne!(addr, key.address());
    }

    // Wrong recovery id recovers someone else.
    let flipped = AccountSignature::secp256k1_from_rsv(&h(EIP155_R), &h(EIP155_S), 1);
    if let Ok(addr) = recover_signer_prehash(&hash, &flipped) {
        assert_ne!(addr, key.address());
    }
}

/// EIP-2: signatures with s > n/2 are invalid. (n - s, 1 - v) is the same signature's high-S
/// twin and must be rejected even though plain ECDSA would accept it.
#[test]
fn secp256k1_high_s_and_bad_v_rejected() {
    let n = h::<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    let s = h::<32>(EIP155_S);
    // high_s = n - s (big-endian subtraction with borrow).
    let mut high_s = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = n[i] as i16 - s[i] as i16 - borrow;
        borrow = if d < 0 {
            d += 256;
            1
        } else {
            0
        };
        high_s[i] = d as u8;
    }
    let hash = h::<32>(EIP155_HASH);
    let sig = AccountSignature::secp256k1_from_rsv(&h(EIP155_R), &high_s, 1);
    assert!(matches!(recover_signer_prehash(&hash, &sig), Err(CryptoError::InvalidSignature(_))));

    for v in [2u8, 3, 27, 28, 37] {
        let sig = AccountSignature::secp256k1_from_rsv(&h(EIP155_R), &h(EIP155_S), v);
        assert!(matches!(recover_signer_prehash(&hash, &sig), Err(CryptoError::InvalidSignature(_))));
    }
    let zero = AccountSignature::Secp256k1 { sig: [0; 65] };
    assert!(recover_signer_prehash(&hash, &zero).is_err());
    let r_overflow = AccountSignature::secp256k1_from_rsv(&[0xff; 32], &h(EIP155_S), 0);
    assert!(recover_signer_prehash(&hash, &r_overflow).is_err());
}

#[test]
fn secp256k1_message_signing_uses_keccak() {
    let key = AccountKey::from_hex(AccountScheme::Secp256k1, EIP155_KEY).unwrap();
    let sig = key.sign(b"hello");
    assert_eq!(sig, key.sign_prehash_secp256k1(&keccak256(b"hello")).unwrap());
    assert_eq!(recover_signer(b"hello", &sig).unwrap(), key.address());
    if let Ok(addr) = recover_signer(b"hellO", &sig) {
        assert_ne!(addr, key.address());
    }
}

// ---------------------------------------------------------------------------------------------
// EIP-55

/// EIP-55 "Test Cases" (all caps, all lower, normal).
#[test]
fn eip55_checksum_test_cases() {
    let cases = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];
    for c in cases {
        let addr: [u8; 20] = hexser::decode_fixed(c).unwrap();
        assert_eq!(to_checksum_address(&addr), c);
        assert_eq!(hechain_crypto::parse_address(c).unwrap(), addr);
    }
}
