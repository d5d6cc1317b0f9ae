//! The cross-chain module's state keys, all under `xc/`.
//!
//! What the other chain proves is read from here, so the layout of the keys marked *proven* is
//! part of the protocol between chains (changing it needs a new channel version).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `xc/client/` ‖ id → [`crate::Client`].
pub const CLIENT_PREFIX: &[u8] = b"xc/client/";
/// `xc/epoch/` ‖ client ‖ epoch → [`crate::EpochRecord`]: every validator set the client knows.
pub const EPOCH_PREFIX: &[u8] = b"xc/epoch/";
/// `xc/cons/` ‖ client ‖ height → [`crate::ConsensusState`]: the headers the client accepted.
pub const CONS_PREFIX: &[u8] = b"xc/cons/";
/// `xc/chan/` ‖ id → [`crate::Channel`] (this chain's bookkeeping of a channel).
pub const CHANNEL_PREFIX: &[u8] = b"xc/chan/";
/// `xc/end/` ‖ id → [`crate::ChannelEnd`] (*proven*: the handshake reads the other end's).
pub const END_PREFIX: &[u8] = b"xc/end/";
/// `xc/commit/` ‖ channel ‖ sequence → [`crate::Packet`] (*proven*): a packet sent and not yet
/// acknowledged or timed out.
pub const COMMIT_PREFIX: &[u8] = b"xc/commit/";
/// `xc/receipt/` ‖ channel ‖ sequence → empty (*proven*, absence proves a timeout): a packet
/// received.
pub const RECEIPT_PREFIX: &[u8] = b"xc/receipt/";
/// `xc/ack/` ‖ channel ‖ sequence → [`crate::Ack`] (*proven*): the receiver's acknowledgement.
pub const ACK_PREFIX: &[u8] = b"xc/ack/";
/// `xc/recvseq/` ‖ channel → next sequence to receive on an ordered channel (*proven* by the
/// timeout of an ordered channel's packet).
pub const RECV_SEQ_PREFIX: &[u8] = b"xc/recvseq/";
/// `xc/bal/` ‖ holder ‖ denomination → balance (u128 big-endian) of a cross-chain voucher.
pub const BALANCE_PREFIX: &[u8] = b"xc/bal/";
/// `xc/supply/` ‖ denomination → vouchers of that denomination in existence.
pub const SUPPLY_PREFIX: &[u8] = b"xc/supply/";
/// `xc/rec/` ‖ id → [`crate::Recognition`].
pub const RECOGNITION_PREFIX: &[u8] = b"xc/rec/";
/// `xc/reckey/` ‖ client ‖ state key → recognition id (one recognition per foreign record).
pub const RECOGNITION_KEY_PREFIX: &[u8] = b"xc/reckey/";
/// `xc/attest/` ‖ network ‖ `/` ‖ event id → [`crate::notary::Attestation`].
pub const ATTESTATION_PREFIX: &[u8] = b"xc/attest/";
/// `xc/approve/` ‖ port ‖ `/` ‖ client ‖ counterparty port → version: an account port's
/// consent to answer the other chain's channel opening (one channel per consent).
pub const APPROVAL_PREFIX: &[u8] = b"xc/approve/";
/// `xc/inbox/` ‖ channel ‖ sequence → payload: a packet an account port received and has not
/// consumed.
pub const INBOX_PREFIX: &[u8] = b"xc/inbox/";
/// `xc/outcome/` ‖ channel ‖ sequence → [`crate::PacketOutcome`]: what became of a packet an
/// account port sent.
pub const OUTCOME_PREFIX: &[u8] = b"xc/outcome/";
/// `xc/next/client`, `xc/next/chan`, `xc/next/rec` → next id (absent = 1).
pub const NEXT_CLIENT: &[u8] = b"xc/next/client";
/// See [`NEXT_CLIENT`].
pub const NEXT_CHANNEL: &[u8] = b"xc/next/chan";
/// See [`NEXT_CLIENT`].
pub const NEXT_RECOGNITION: &[u8] = b"xc/next/rec";

/// Key of a client.
pub fn client(id: u64) -> Vec<u8> {
    join(CLIENT_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a validator set a client knows.
pub fn epoch(client: u64, epoch: u64) -> Vec<u8> {
    join(EPOCH_PREFIX, &[&client.to_be_bytes(), &epoch.to_be_bytes()])
}

/// Key of a header a client accepted.
pub fn consensus(client: u64, height: u64) -> Vec<u8> {
    join(CONS_PREFIX, &[&client.to_be_bytes(), &height.to_be_bytes()])
}

/// Key of a channel's bookkeeping.
pub fn channel(id: u64) -> Vec<u8> {
    join(CHANNEL_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a channel end (proven by the other chain).
pub fn end(id: u64) -> Vec<u8> {
    join(END_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a sent packet's commitment.
pub fn commitment(channel: u64, seq: u64) -> Vec<u8> {
    join(COMMIT_PREFIX, &[&channel.to_be_bytes(), &seq.to_be_bytes()])
}

/// Key of a packet receipt.
pub fn receipt(channel: u64, seq: u64) -> Vec<u8> {
    join(RECEIPT_PREFIX, &[&channel.to_be_bytes(), &seq.to_be_bytes()])
}

/// Key of an acknowledgement.
pub fn ack(channel: u64, seq: u64) -> Vec<u8> {
    join(ACK_PREFIX, &[&channel.to_be_bytes(), &seq.to_be_bytes()])
}

/// Key of an ordered channel's next sequence to receive.
pub fn recv_seq(channel: u64) -> Vec<u8> {
    join(RECV_SEQ_PREFIX, &[&channel.to_be_bytes()])
}

/// Key of a voucher balance.
pub fn balance(holder: &Address, denom: &str) -> Vec<u8> {
    join(BALANCE_PREFIX, &[&holder.0, denom.as_bytes()])
}

/// Key of a denomination's supply.
pub fn supply(denom: &str) -> Vec<u8> {
    join(SUPPLY_PREFIX, &[denom.as_bytes()])
}

/// Key of a recognition.
pub fn recognition(id: u64) -> Vec<u8> {
    join(RECOGNITION_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the index of recognised foreign records.
pub fn recognition_key(client: u64, key: &[u8]) -> Vec<u8> {
    join(RECOGNITION_KEY_PREFIX, &[&client.to_be_bytes(), key])
}

/// Key of a notary attestation (network names hold no `/`).
pub fn attestation(network: &str, event_id: &str) -> Vec<u8> {
    join(ATTESTATION_PREFIX, &[network.as_bytes(), b"/", event_id.as_bytes()])
}

/// Key of an account port's consent to a channel (port names hold no `/`).
pub fn approval(port: &str, client: u64, counterparty_port: &str) -> Vec<u8> {
    join(APPROVAL_PREFIX, &[port.as_bytes(), b"/", &client.to_be_bytes(), counterparty_port.as_bytes()])
}

/// Key of a packet waiting in an account port's inbox.
pub fn inbox(channel: u64, seq: u64) -> Vec<u8> {
    join(INBOX_PREFIX, &[&channel.to_be_bytes(), &seq.to_be_bytes()])
}

/// Key of the outcome of a packet an account port sent.
pub fn outcome(channel: u64, seq: u64) -> Vec<u8> {
    join(OUTCOME_PREFIX, &[&channel.to_be_bytes(), &seq.to_be_bytes()])
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_stable() {
        // Proven keys are part of the protocol between chains.
        assert_eq!(super::commitment(1, 2), b"xc/commit/\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x02".to_vec());
        assert_eq!(super::end(3), b"xc/end/\0\0\0\0\0\0\0\x03".to_vec());
        assert_eq!(super::ack(1, 2)[..7], *b"xc/ack/");
    }
}
