//! Property tests: sign/recover and sign/verify round trips, batch verification.

use hechain_crypto::{
    hexser, recover_signer, verify_node_batch, AccountKey, AccountScheme, AccountSignature, CryptoError, NodeKey,
    NodeSignature, Suite,
};
use proptest::prelude::*;

fn scheme() -> impl Strategy<Value = AccountScheme> {
    prop_oneof![Just(AccountScheme::Secp256k1), Just(AccountScheme::Sm2)]
}

fn suite() -> impl Strategy<Value = Suite> {
    prop_oneof![Just(Suite::Standard), Just(Suite::Gm)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn account_sign_recover_round_trip(
        scheme in scheme(),
        secret in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        flip in any::<usize>(),
    ) {
        // Nearly every 32-byte string is a valid key; skip the rest.
        let Ok(key) = AccountKey::from_bytes(scheme, &secret) else { return Ok(()); };
        let sig = key.sign(&msg);
        prop_assert_eq!(sig.scheme(), scheme);
        prop_assert_eq!(recover_signer(&msg, &sig)?, key.address());

        // Serde round trip keeps it valid.
        let json = serde_json::to_string(&sig).unwrap();
        let back: AccountSignature = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(recover_signer(&msg, &back)?, key.address());

        // Any change to the message: an error or a different address.
        let mut other = msg.clone();
        if other.is_empty() {
            other.push(0);
        } else {
            let i = flip % other.len();
            other[i] ^= 1;
        }
        if let Ok(addr) = recover_signer(&other, &sig) {
            prop_assert_ne!(addr, key.address());
        }
    }

    #[test]
    fn node_sign_verify_round_trip(
        suite in suite(),
        secret in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        bit in 0usize..512,
    ) {
        let Ok(key) = NodeKey::from_bytes(suite, &secret) else { return Ok(()); };
        let pk = key.public_key();
        let sig = key.sign(&msg);
        prop_assert!(pk.verify(suite, &msg, &sig).is_ok());
        let mut bad = sig;
        bad.0[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(pk.verify(suite, &msg, &bad).is_err());
    }

    #[test]
    fn batch_detects_the_bad_item(
        suite in suite(),
        n in 1usize..24,
        bad_seed in any::<usize>(),
        tamper_message in any::<bool>(),
    ) {
        let keys: Vec<NodeKey> = (0..3).map(|_| NodeKey::generate(suite)).collect();
        let pks: Vec<_> = keys.iter().map(NodeKey::public_key).collect();
        let mut msgs: Vec<Vec<u8>> = (0..n).map(|i| format!("vote {i}").into_bytes()).collect();
        let mut sigs: Vec<NodeSignature> =
            msgs.iter().enumerate().map(|(i, m)| keys[i % 3].sign(m)).collect();
        {
            let items: Vec<_> =
                (0..n).map(|i| (&pks[i % 3], msgs[i].as_slice(), &sigs[i])).collect();
            prop_assert!(verify_node_batch(suite, &items).is_ok());
        }
        let bad = bad_seed % n;
        if tamper_message {
            msgs[bad].push(b'!');
        } else {
            sigs[bad].0[40] ^= 0x10;
        }
        let items: Vec<_> = (0..n).map(|i| (&pks[i % 3], msgs[i].as_slice(), &sigs[i])).collect();
        match verify_node_batch(suite, &items) {
            Err(CryptoError::BatchItem { index, .. }) => prop_assert_eq!(index, bad),
            other => prop_assert!(false, "expected BatchItem error, got {:?}", other),
        }
    }

    #[test]
    fn hex_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        let s = hexser::encode(&bytes);
        prop_assert!(s.starts_with("0x"));
        prop_assert_eq!(hexser::decode(&s)?, bytes.clone());
        prop_assert_eq!(hexser::decode(&s[2..].to_uppercase())?, bytes);
    }
}
